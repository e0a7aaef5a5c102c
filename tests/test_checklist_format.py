"""Bad checklist files are refused with a ChecklistFileError naming the file and the place."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from server.checklists.loader import (
    MAX_FILE_BYTES,
    ChecklistFileError,
    load_file,
    load_folder,
)

ITEM0 = "$.sections[0].items[0]"


def text(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


def valid() -> dict:
    """A small checklist that loads; each test breaks one thing in a fresh copy."""
    anchors = {level: text(f"{level}分", f"{level} points") for level in range(5)}
    return {
        "id": "test",
        "version": 1,
        "title": text("测试", "Test"),
        "bands": [
            {"min": 80, "label": text("良", "Good")},
            {"min": 0, "label": text("差", "Poor")},
        ],
        "sections": [
            {
                "id": "one",
                "title": text("一", "One"),
                "items": [
                    {
                        "id": "tidy",
                        "type": "score",
                        "label": text("整齐", "Tidy"),
                        "anchors": anchors,
                    },
                    {
                        "id": "colour",
                        "type": "choice",
                        "label": text("颜色", "Colour"),
                        "options": [
                            {"id": "green", "label": text("绿", "Green"), "score": 1},
                            {"id": "red", "label": text("红", "Red"), "fail": True},
                        ],
                    },
                    {"id": "temp", "type": "number", "label": text("温度", "Temp"), "min": 22},
                ],
            },
            {
                "id": "two",
                "title": text("二", "Two"),
                "items": [{"id": "note", "type": "text", "label": text("备注", "Note")}],
            },
        ],
    }


def write(tmp_path: Path, content: dict | str | bytes, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, dict):
        content = yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


def refused(path: Path, at: str) -> ChecklistFileError:
    """Load `path`, expect it refused at `at`, and check the message names file and place."""
    with pytest.raises(ChecklistFileError) as caught:
        load_file(path)
    error = caught.value
    assert error.file == str(path)
    assert error.path == at
    assert str(path) in str(error) and at in str(error)
    return error


def item(data: dict, index: int = 0) -> dict:
    return data["sections"][0]["items"][index]


def test_valid_file_loads(tmp_path):
    assert load_file(write(tmp_path, valid())).id == "test"


def test_wrong_type_at_version(tmp_path):
    data = valid()
    data["version"] = "1"
    assert "int" in refused(write(tmp_path, data), "$.version").message


def test_version_zero_refused(tmp_path):
    data = valid()
    data["version"] = 0
    refused(write(tmp_path, data), "$.version")


def test_unknown_field_named(tmp_path):
    data = valid()
    item(data)["na_allow"] = True
    assert "na_allow" in refused(write(tmp_path, data), ITEM0).message


def test_missing_field_named(tmp_path):
    data = valid()
    del data["title"]
    assert "title" in refused(write(tmp_path, data), "$").message


def test_bad_item_type(tmp_path):
    data = valid()
    item(data)["type"] = "slider"
    assert "slider" in refused(write(tmp_path, data), f"{ITEM0}.type").message


def test_bad_ident(tmp_path):
    data = valid()
    data["id"] = "6S Zone"
    refused(write(tmp_path, data), "$.id")


def test_text_without_english(tmp_path):
    data = valid()
    data["title"] = {"zh": "测试"}
    refused(write(tmp_path, data), "$.title")


def test_duplicate_item_id_across_sections(tmp_path):
    data = valid()
    data["sections"][1]["items"][0]["id"] = "tidy"
    error = refused(write(tmp_path, data), "$.sections[1].items[0].id")
    assert "tidy" in error.message


def test_duplicate_section_id(tmp_path):
    data = valid()
    data["sections"][1]["id"] = "one"
    refused(write(tmp_path, data), "$.sections[1].id")


def test_duplicate_option_id(tmp_path):
    data = valid()
    item(data, 1)["options"][1]["id"] = "green"
    refused(write(tmp_path, data), "$.sections[0].items[1].options[1].id")


def test_empty_sections_refused(tmp_path):
    data = valid()
    data["sections"] = []
    refused(write(tmp_path, data), "$.sections")


def test_anchors_missing_a_level(tmp_path):
    data = valid()
    del item(data)["anchors"][3]
    assert "0..4" in refused(write(tmp_path, data), f"{ITEM0}.anchors").message


def test_anchors_beyond_max(tmp_path):
    data = valid()
    item(data)["max"] = 3
    assert "0..3" in refused(write(tmp_path, data), f"{ITEM0}.anchors").message


def test_anchors_on_pass_fail_refused(tmp_path):
    data = valid()
    item(data)["type"] = "pass_fail"
    refused(write(tmp_path, data), ITEM0)


def test_score_max_must_be_whole(tmp_path):
    data = valid()
    del item(data)["anchors"]
    item(data)["max"] = 4.5
    refused(write(tmp_path, data), f"{ITEM0}.max")


def test_fail_below_above_max(tmp_path):
    data = valid()
    item(data)["fail_below"] = 5
    refused(write(tmp_path, data), f"{ITEM0}.fail_below")


def test_bands_out_of_order(tmp_path):
    data = valid()
    data["bands"].reverse()
    assert "highest" in refused(write(tmp_path, data), "$.bands").message


def test_bands_with_same_min(tmp_path):
    data = valid()
    data["bands"][1]["min"] = 80
    refused(write(tmp_path, data), "$.bands")


@pytest.mark.parametrize("options", [None, []], ids=["missing", "empty"])
def test_choice_without_options(tmp_path, options):
    data = valid()
    item(data, 1)["options"] = options
    refused(write(tmp_path, data), "$.sections[0].items[1].options")


def test_options_on_pass_fail_refused(tmp_path):
    data = valid()
    item(data, 1)["type"] = "pass_fail"
    refused(write(tmp_path, data), "$.sections[0].items[1].options")


def test_number_without_range(tmp_path):
    data = valid()
    del item(data, 2)["min"]
    assert "range" in refused(write(tmp_path, data), "$.sections[0].items[2]").message


def test_number_min_above_max(tmp_path):
    data = valid()
    item(data, 2)["max"] = 20
    refused(write(tmp_path, data), "$.sections[0].items[2].min")


def test_critical_text_item_refused(tmp_path):
    data = valid()
    data["sections"][1]["items"][0]["critical"] = True
    refused(write(tmp_path, data), "$.sections[1].items[0].critical")


def test_critical_scope_must_be_known(tmp_path):
    data = valid()
    data["critical_fail"] = {"scope": "zone", "cap": 59}
    refused(write(tmp_path, data), "$.critical_fail.scope")


@pytest.mark.parametrize("tag", ["!!python/object:os.system {}", "!!python/name:os.system"])
def test_python_tags_refused(tmp_path, tag):
    path = write(tmp_path, f"id: {tag}\nversion: 1\n")
    with pytest.raises(ChecklistFileError) as caught:
        load_file(path)
    assert caught.value.file == str(path)
    assert caught.value.path == "line 1, column 5"
    assert "python" in caught.value.message


def test_anchors_refused(tmp_path):
    path = write(tmp_path, "id: test\ntitle: &t {zh: 测, en: T}\n")
    assert "anchors are not allowed" in refused(path, "$").message


def test_aliases_refused(tmp_path):
    path = write(tmp_path, "id: test\ndescription: *t\n")
    assert "aliases are not allowed" in refused(path, "$").message


def test_yaml_syntax_error_gives_line(tmp_path):
    path = write(tmp_path, "id: test\nversion: [1\n")
    with pytest.raises(ChecklistFileError) as caught:
        load_file(path)
    assert caught.value.path.startswith("line ")


def test_file_over_1_mb_refused(tmp_path):
    body = yaml.safe_dump(valid(), allow_unicode=True).encode()
    path = write(tmp_path, body + b"#" * (MAX_FILE_BYTES + 1 - len(body)))
    assert "larger than" in refused(path, "$").message


def test_file_just_under_1_mb_loads(tmp_path):
    body = yaml.safe_dump(valid(), allow_unicode=True).encode()
    path = write(tmp_path, body + b"#" * (MAX_FILE_BYTES - len(body)))
    assert load_file(path).id == "test"


def test_missing_file(tmp_path):
    assert "cannot read" in refused(tmp_path / "nope.yaml", "$").message


def test_same_id_and_version_twice_in_folder(tmp_path):
    write(tmp_path, valid(), "a.yaml")
    write(tmp_path, valid(), "b.yaml")
    result = load_folder(tmp_path)
    assert len(result.checklists) == 1
    [error] = result.errors
    assert "b.yaml" in error.file and error.path == "$.id"


def test_folder_keeps_good_files_and_reports_bad(tmp_path):
    write(tmp_path, valid(), "good.yaml")
    write(tmp_path, "id: [\n", "broken.yaml")
    result = load_folder(tmp_path)
    assert [c.id for c in result.checklists] == ["test"]
    assert [Path(e.file).name for e in result.errors] == ["broken.yaml"]
