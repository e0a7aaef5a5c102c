"""Published checklist versions are kept and served for ever and never change."""

import shutil

import pytest
import yaml

from conftest import CHECKLISTS
from server.app import create_app, open_store
from server.checklists.registry import PublishError
from server.settings import Settings


def _copy_packs(tmp_path):
    folder = tmp_path / "checklists"
    shutil.copytree(CHECKLISTS, folder, ignore=shutil.ignore_patterns("*.md"))
    return folder


def _edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_served_version_is_the_published_one(client, officer):
    response = client.get("/api/checklists/6s-zone/1", headers=officer)
    assert response.status_code == 200
    assert response.json()["id"] == "6s-zone" and response.json()["version"] == 1
    assert "immutable" in response.headers["cache-control"]


def test_unknown_checklist_or_version_is_404(client, officer):
    for path in ["/api/checklists/nope/1", "/api/checklists/6s-zone/99"]:
        response = client.get(path, headers=officer)
        assert response.status_code == 404
        assert "no checklist" in response.json()["detail"]


def test_old_version_is_still_served_after_v2(tmp_path):
    folder = _copy_packs(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", checklists_dir=folder)
    open_store(settings).close()
    _edit(
        folder / "red-tag-review.yaml",
        lambda d: d.update(version=2, title={"zh": "红牌", "en": "Tags"}),
    )
    store = open_store(settings)
    from server.checklists.registry import get_version, latest_versions

    assert get_version(store, "red-tag-review", 1).title.en != "Tags"
    assert get_version(store, "red-tag-review", 2).title.en == "Tags"
    latest = {c.id: c.version for c in latest_versions(store)}
    assert latest["red-tag-review"] == 2
    store.close()


def test_changed_content_under_the_same_version_stops_start_up(tmp_path):
    folder = _copy_packs(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", checklists_dir=folder)
    open_store(settings).close()
    _edit(folder / "red-tag-review.yaml", lambda d: d["title"].update(en="Changed"))
    with pytest.raises(PublishError) as error:
        create_app(settings)
    message = str(error.value)
    assert "red-tag-review.yaml" in message and "version" in message


def test_layout_and_comments_are_not_content(tmp_path):
    folder = _copy_packs(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", checklists_dir=folder)
    open_store(settings).close()
    path = folder / "red-tag-review.yaml"
    path.write_text("# a comment\n" + path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    open_store(settings).close()


def test_a_bad_file_stops_start_up_naming_file_and_field(tmp_path):
    folder = _copy_packs(tmp_path)
    _edit(folder / "goods-receiving.yaml", lambda d: d.update(version="two"))
    with pytest.raises(PublishError) as error:
        open_store(Settings(data_dir=tmp_path / "data", checklists_dir=folder))
    assert "goods-receiving.yaml" in str(error.value) and "$.version" in str(error.value)
