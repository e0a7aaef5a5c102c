"""The shipped checklist packs in checklists/: they load and keep the promises made for them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from server.checklists.format import Checklist, Item, Text
from server.checklists.loader import NOT_CHECKLISTS, load_file, load_folder

FOLDER = Path(__file__).parent.parent / "checklists"
FILES = [p for p in sorted(FOLDER.glob("*.yaml")) if p.name not in NOT_CHECKLISTS]
EXPECTED_IDS = {
    "6s-zone",
    "facility-daily",
    "facility-weekly",
    "vehicle-handover",
    "goods-receiving",
    "red-tag-review",
    "service-reception",
    "nev-hv-bay",
    "body-paint",
    "stock-yard",
    "service-delivery",
}
SIX_S = [
    ("sort", "整理"),
    ("set-in-order", "整顿"),
    ("shine", "清扫"),
    ("standardize", "清洁"),
    ("sustain", "素养"),
    ("safety", "安全"),
]
ZONE_KINDS = ["workshop", "warehouse", "office", "showroom"]
CJK = re.compile(r"[\u3400-\u9fff]")


def load(checklist_id: str) -> Checklist:
    return load_file(FOLDER / f"{checklist_id}.yaml")


def texts(value: object, path: str = "$") -> Iterator[tuple[str, Text]]:
    """Every bilingual Text inside a checklist, with where it is."""
    if isinstance(value, Text):
        yield path, value
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            yield from texts(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, list):
        for i, element in enumerate(value):
            yield from texts(element, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, element in value.items():
            yield from texts(element, f"{path}.{key}")


def for_all_kinds(items: list[Item]) -> list[Item]:
    return [item for item in items if item.type == "score" and item.zone_kinds is None]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_loads(path):
    assert load_file(path).version >= 1


def test_folder_loads_without_errors():
    result = load_folder(FOLDER)
    assert result.errors == []
    archived = sorted(FOLDER.glob("archive/*.yaml"))
    assert len(result.checklists) == len(FILES) + len(archived)


def test_archived_versions_are_older_than_their_packs():
    latest = {load_file(path).id: load_file(path).version for path in FILES}
    for path in sorted(FOLDER.glob("archive/*.yaml")):
        old = load_file(path)
        assert old.version < latest[old.id], path.name
        assert path.name == f"{old.id}.v{old.version}.yaml", "archive files say what they hold"


def test_shipped_ids():
    assert {load_file(path).id for path in FILES} == EXPECTED_IDS


def test_file_names_match_ids():
    for path in FILES:
        assert load_file(path).id == path.stem


def test_6s_sections_in_order():
    sections = load("6s-zone").sections
    assert [(s.id, s.title.zh) for s in sections] == SIX_S


@pytest.mark.parametrize("section_id", [s for s, _ in SIX_S])
def test_6s_each_s_has_five_common_score_items(section_id):
    section = next(s for s in load("6s-zone").sections if s.id == section_id)
    assert len(for_all_kinds(section.items)) >= 5


@pytest.mark.parametrize("kind", ZONE_KINDS)
def test_6s_zone_kind_gets_specific_items(kind):
    specific = [i.id for i in load("6s-zone").items() if i.zone_kinds and kind in i.zone_kinds]
    assert specific, f"no 6s-zone item specific to {kind}"


def test_6s_items_are_scores_out_of_4():
    for item in load("6s-zone").items():
        assert (item.type, item.levels) == ("score", 4), item.id


def test_6s_critical_items_cap_at_59():
    checklist = load("6s-zone")
    assert (checklist.critical_fail.scope, checklist.critical_fail.cap) == ("total", 59)
    critical = {item.id for item in checklist.items() if item.critical}
    assert {"safety-exits", "safety-ws-lifts"} <= critical
    # Each legal check is a red line in one pack only: extinguishers in facility-weekly.
    extinguishers = checklist.item_map()["safety-extinguishers"]
    assert not extinguishers.critical and extinguishers.critical_below is None
    # What can kill or breaks the law is a red line at 0 (content review b3).
    red_at_0 = {item.id for item in checklist.items() if item.critical_below == 1}
    lethal = {"safety-electrical", "safety-chemicals", "safety-wh-racks", "safety-ppe"}
    assert lethal | {"safety-sr-customer-areas"} <= red_at_0


def test_6s_states_each_s_and_asks_a_reason_for_na_and_evidence():
    checklist = load("6s-zone")
    assert checklist.section_weighting == "equal" and checklist.evidence_below_max
    for section in checklist.sections:
        assert section.description and section.title.zh in section.description.zh, section.id
    for item in checklist.items():
        assert item.note_required_if_na == item.na_allowed, item.id


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_score_items_have_anchor_for_every_level(path):
    for item in load_file(path).items():
        if item.type == "score":
            assert item.anchors is not None, item.id
            assert set(item.anchors) == set(range(item.levels + 1)), item.id


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_text_is_bilingual(path):
    for where, text in texts(load_file(path)):
        assert text.zh.strip() and text.en.strip(), where
        assert CJK.search(text.zh), f"{where}.zh has no Chinese: {text.zh!r}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_bands_run_from_excellent_to_poor(path):
    bands = load_file(path).bands
    assert [b.label.zh for b in bands] == ["优", "良", "中", "差"]
    assert bands[-1].min == 0


def test_handover_explanation_items_are_critical():
    checklist = load("vehicle-handover")
    section = next(s for s in checklist.sections if s.id == "explanation")
    assert len(section.items) >= 3
    assert all(item.critical for item in section.items)
    assert checklist.critical_fail.cap == 0


def test_handover_needs_signature_photo():
    item = load("vehicle-handover").item_map()["customer-signature"]
    assert item.type == "photo"
    assert item.photo.required


def test_handover_asks_customer_satisfaction():
    item = load("vehicle-handover").item_map()["satisfaction"]
    assert item.type == "choice"
    assert any(option.fail for option in item.options)


def test_every_kind_the_packs_name_is_a_zone_kind():
    from server.checklists.kinds import load_kinds

    kinds = load_kinds(FOLDER)
    named = set()
    for path in FILES:
        checklist = load_file(path)
        named |= set(checklist.zone_kinds or ())
        named |= {k for item in checklist.items() for k in item.zone_kinds or ()}
    assert named <= set(kinds), named - set(kinds)
