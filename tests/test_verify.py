"""`genba verify` finds what was changed behind the app's back."""

import subprocess
import sys
import uuid

import pytest

from conftest import audit_body
from server.verify import problems


@pytest.fixture
def audited(client, app, officer, supervisor):
    """A data dir holding a reviewed audit and a revised draft."""
    first = str(uuid.uuid4())
    client.put(f"/api/audits/{first}", json=audit_body(client, officer), headers=officer)
    client.post(f"/api/audits/{first}/review", json={"decision": "approve"}, headers=supervisor)
    draft = audit_body(client, officer, status="draft")
    second = str(uuid.uuid4())
    client.put(f"/api/audits/{second}", json=draft, headers=officer)
    draft["answers"].pop(next(iter(draft["answers"])))
    client.put(f"/api/audits/{second}", json={**draft, "base_revision": 1}, headers=officer)
    return app, first, second


def _problems(app):
    return problems(app.state.store, app.state.settings)


def _sql(app, statement, params=()):
    with app.state.store.write() as db:
        db.execute(statement, params)


def test_clean_data_dir_verifies(audited):
    assert _problems(audited[0]) == []


def test_cli_verify_exit_codes(audited):
    app = audited[0]
    command = [sys.executable, "-m", "server", "verify", "--data", str(app.state.settings.data_dir)]
    ok = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    _sql(app, "update audits set score_percent = 100, score = replace(score, '100.0', '99.0')")
    bad = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "score" in bad.stderr


def test_changed_score_is_caught(audited):
    app, first, _ = audited
    _sql(app, "update audits set score = '{\"percent\": 12.0}' where id = ?", [first])
    assert any(first in p and "score" in p for p in _problems(app))


def test_changed_answers_are_caught(audited):
    app, _, second = audited
    _sql(
        app,
        "update audit_revisions set body = replace(body, '\"value\":4', '\"value\":1')"
        " where audit_id = ? and revision = 1",
        [second],
    )
    assert any(f"{second} revision 1" in p for p in _problems(app))


def test_removed_or_edited_events_break_the_chain(audited):
    app = audited[0]
    _sql(app, "update events set actor = 'someone else' where seq = 3")
    assert any("event 3" in p for p in _problems(app))
    _sql(app, "delete from events where seq = 2")
    assert any("event 2: missing" in p for p in _problems(app))


def test_removed_revision_is_caught(audited):
    app, _, second = audited
    _sql(app, "delete from audit_revisions where audit_id = ? and revision = 1", [second])
    assert any(second in p for p in _problems(app))


def test_missing_or_changed_photo_file_is_caught(client, app, officer):
    import hashlib

    import images
    from server.photos import PhotoFiles

    data = images.jpeg()
    sha = hashlib.sha256(data).hexdigest()
    headers = {**officer, "Content-Type": "image/jpeg"}
    assert client.put(f"/api/photos/{sha}", content=data, headers=headers).status_code == 201
    assert _problems(app) == []
    files = PhotoFiles(app.state.settings.photos_dir)
    files.thumb_path(sha).write_bytes(b"not the thumbnail")
    files.path(sha, "image/jpeg").unlink()
    found = _problems(app)
    assert any("missing" in p and sha in p for p in found)
    assert any("does not match" in p and sha in p for p in found)
