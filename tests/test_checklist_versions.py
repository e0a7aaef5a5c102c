"""Published checklist versions are kept and served for ever and never change."""

import shutil

import pytest
import yaml

from conftest import CHECKLISTS
from server.app import create_app, open_store
from server.checklists.registry import PublishError
from server.core.settings import Settings


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


def test_old_version_is_still_served_after_a_new_one(tmp_path):
    folder = _copy_packs(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", checklists_dir=folder)
    open_store(settings).close()
    path = folder / "red-tag-review.yaml"
    old = yaml.safe_load(path.read_text(encoding="utf-8"))["version"]
    _edit(path, lambda d: d.update(version=old + 1, title={"zh": "红牌", "en": "Tags"}))
    store = open_store(settings)
    from server.checklists.registry import get_version, latest_versions

    assert get_version(store, "red-tag-review", old).title.en != "Tags"
    assert get_version(store, "red-tag-review", old + 1).title.en == "Tags"
    latest = {c.id: c.version for c in latest_versions(store)}
    assert latest["red-tag-review"] == old + 1
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


def test_hashes_stored_before_defaults_were_left_out_are_migrated(tmp_path):
    """Data dirs made before the format left defaults out of its hashes start as before."""
    import hashlib
    import json

    from server.core.db import Store
    from server.ops.verify import problems

    settings = Settings(data_dir=tmp_path / "data", checklists_dir=CHECKLISTS)
    open_store(settings).close()
    store = Store(settings.db_path)
    with store.write() as db:
        for checklist_id, version, definition in db.execute(
            "select checklist_id, version, definition from checklist_versions"
        ).fetchall():
            # The old encoding spelled out every default, and hashed exactly those bytes.
            old = json.loads(definition)
            for section in old["sections"]:
                section.setdefault("weight", 1)
                for item in section["items"]:
                    item.setdefault("na_allowed", False)
                    item["weight"] = item.get("weight", 1)
            text = json.dumps(old, ensure_ascii=False)
            db.execute(
                "update checklist_versions set definition = ?, content_hash = ?"
                " where checklist_id = ? and version = ?",
                [text, hashlib.sha256(text.encode()).hexdigest(), checklist_id, version],
            )
        db.execute("delete from _sqlite_migrations where name = 'rehash_checklists'")
    store.close()
    store = open_store(settings)  # migrates, then publishes the same files: no refusal
    try:
        assert problems(store, settings) == []
    finally:
        store.close()
