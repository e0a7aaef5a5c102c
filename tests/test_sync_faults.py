"""Faults from the field: photos late, tokens expired, checklists moved on, orphan files."""

import hashlib
import shutil
import uuid

import yaml

import images
from conftest import CHECKLISTS, audit_body, login
from server.app import create_app, open_store
from server.core.settings import Settings
from server.photos.files import PhotoFiles
from server.photos.images import process


def _upload(client, headers, data):
    sha = hashlib.sha256(data).hexdigest()
    response = client.put(
        f"/api/photos/{sha}", content=data, headers={**headers, "Content-Type": "image/jpeg"}
    )
    return sha, response


def test_audit_before_its_photos_is_complete_once_they_arrive(client, officer, supervisor):
    data = images.jpeg()
    sha = hashlib.sha256(data).hexdigest()
    body = audit_body(client, officer)
    body["answers"][next(iter(body["answers"]))]["photos"] = [sha]
    audit_id = str(uuid.uuid4())
    first = client.put(f"/api/audits/{audit_id}", json=body, headers=officer).json()
    assert first["complete"] is False and first["missing_photos"] == [sha]
    assert _upload(client, officer, data)[1].status_code == 201
    now = client.get(f"/api/audits/{audit_id}", headers=officer).json()
    assert now["complete"] is True and now["missing_photos"] == []
    replay = client.put(f"/api/audits/{audit_id}", json=body, headers=officer)
    assert replay.status_code == 200 and replay.json()["complete"] is True
    review = {"decision": "approve"}
    reviewed = client.post(f"/api/audits/{audit_id}/review", json=review, headers=supervisor)
    assert reviewed.status_code == 200


def test_expired_token_gets_401_then_everything_syncs_once(client, app, officer):
    with app.state.store.write() as db:
        db.execute("update tokens set expires_at = '2000-01-01T00:00:00+00:00'")
    audit_id, body = str(uuid.uuid4()), audit_body(client, login(client, "supervisor"))
    with app.state.store.write() as db:  # the supervisor's token expired too
        db.execute("update tokens set expires_at = '2000-01-01T00:00:00+00:00'")
    refused = client.put(f"/api/audits/{audit_id}", json=body, headers=officer)
    assert refused.status_code == 401
    fresh = login(client, "officer")
    assert client.put(f"/api/audits/{audit_id}", json=body, headers=fresh).status_code == 201
    assert client.put(f"/api/audits/{audit_id}", json=body, headers=fresh).status_code == 200
    count = app.state.store.read().execute("select count(*) from audit_revisions").fetchone()[0]
    assert count == 1


def test_audit_on_v1_arriving_after_v2_is_scored_on_v1(tmp_path):
    from litestar.testing import TestClient

    folder = tmp_path / "checklists"
    shutil.copytree(CHECKLISTS, folder, ignore=shutil.ignore_patterns("*.md"))
    settings = Settings(
        data_dir=tmp_path / "data", checklists_dir=folder, demo=True, password_cost="test"
    )
    open_store(settings).close()
    path = folder / "6s-zone.yaml"
    v2 = yaml.safe_load(path.read_text(encoding="utf-8"))
    old = v2["version"]
    v2["version"] = old + 1
    v2["sections"][0]["items"][0]["weight"] = 50  # the new version counts this item far more
    path.write_text(yaml.safe_dump(v2, allow_unicode=True), "utf-8")
    app = create_app(settings)
    with TestClient(app) as client:
        officer = login(client, "officer")
        body = audit_body(client, officer)  # built from the old version, as the device had it
        body["checklist_version"] = old
        first_item = next(iter(body["answers"]))
        # A deduction with its evidence (the newest 6s-zone asks for a note or a photo).
        body["answers"][first_item].update(value=2, note="扣分说明")
        response = client.put(f"/api/audits/{uuid.uuid4()}", json=body, headers=officer)
        assert response.status_code == 201
        possible = response.json()["score"]["possible"]
        assert possible < 50, "the new weight 50 must not apply to an audit filled before it"
        versions = {
            c["id"]: c["version"]
            for c in client.get("/api/bootstrap", headers=officer).json()["checklists"]
        }
        assert versions["6s-zone"] == old + 1
    app.state.store.close()


def test_orphan_file_from_a_crash_is_harmless(client, app, officer):
    """Killed after writing the files, before recording the row: the retry simply works."""
    data = images.jpeg()
    sha = hashlib.sha256(data).hexdigest()
    photo = process(data, app.state.settings.max_photo_pixels)
    PhotoFiles(app.state.settings.photos_dir).put(sha, photo.content_type, photo.data, photo.thumb)
    assert client.head(f"/api/photos/{sha}", headers=officer).status_code == 404
    assert _upload(client, officer, data)[1].status_code == 201
    assert client.head(f"/api/photos/{sha}", headers=officer).status_code == 200


def test_audit_body_over_the_limit_is_413(client, officer):
    huge = b'{"answers": {"x": {"note": "' + b"n" * 11_000_000 + b'"}}}'
    response = client.put(f"/api/audits/{uuid.uuid4()}", content=huge, headers=officer)
    assert response.status_code == 413

    def chunks():
        for _ in range(11):
            yield b" " * 1_000_000

    chunked = client.put(f"/api/audits/{uuid.uuid4()}", content=chunks(), headers=officer)
    assert chunked.status_code == 413
