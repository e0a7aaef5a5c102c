"""`genba verify` finds what was changed behind the app's back."""

import subprocess
import sys
import uuid

import pytest

from conftest import audit_body
from server.ops.verify import problems


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
    from server.photos.files import PhotoFiles

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


# --- every derived column the appraisal and access rules read ------------------------------

DERIVED = {
    "score_percent": "update audits set score_percent = score_percent - 9 where id = :id",
    "status": "update audits set status = 'approved' where id = :id",
    "month": "update audits set month = '2020-01' where id = :id",
    "zone_id": "update audits set zone_id = 'hq-parts' where id = :id",
    "site_id": "update audits set site_id = 'east' where id = :id",
    "officer_id": "update audits set officer_id = officer_id + 1 where id = :id",
    "complete": "update audits set complete = 1 - complete where id = :id",
    "submitted_at": "update audits set submitted_at = '2020-01-01T00:00:00+00:00' where id = :id",
}


@pytest.mark.parametrize("column", DERIVED)
def test_a_changed_derived_column_is_caught(audited, column):
    app, first, second = audited
    audit_id = second if column in ("status",) else first
    _sql(app, DERIVED[column], {"id": audit_id})
    found = _problems(app)
    assert any(audit_id in p and column in p for p in found), found


def test_changed_or_removed_reviews_are_caught(audited):
    app, first, _ = audited
    _sql(app, "update reviews set decision = 'return' where audit_id = ?", [first])
    assert any(first in p and "review" in p for p in _problems(app))
    _sql(app, "update reviews set decision = 'approve' where audit_id = ?", [first])
    assert _problems(app) == []
    _sql(
        app, "update audits set review = replace(review, 'approve', 'return') where id = ?", [first]
    )
    assert any(first in p and "review" in p for p in _problems(app))


def test_a_photo_replaced_with_its_recorded_hash_is_caught(client, app, officer):
    import hashlib

    import images
    from server.photos.files import PhotoFiles

    data = images.jpeg()
    sha = hashlib.sha256(data).hexdigest()
    headers = {**officer, "Content-Type": "image/jpeg"}
    client.put(f"/api/photos/{sha}", content=data, headers=headers)
    forged = images.jpeg(size=(200, 100))
    PhotoFiles(app.state.settings.photos_dir).path(sha, "image/jpeg").write_bytes(forged)
    _sql(
        app,
        "update photos set stored_sha256 = ? where sha256 = ?",
        [hashlib.sha256(forged).hexdigest(), sha],
    )
    assert any(sha in p and "event log" in p for p in _problems(app))


def test_a_read_grant_added_behind_the_apps_back_is_caught(client, app, officer):
    import hashlib

    import images

    data = images.jpeg()
    sha = hashlib.sha256(data).hexdigest()
    client.put(
        f"/api/photos/{sha}", content=data, headers={**officer, "Content-Type": "image/jpeg"}
    )
    _sql(app, "insert into photo_holders values (?, 2, '2026-01-01', 'upload')", [sha])
    assert any(sha in p and "no event granted" in p for p in _problems(app))


def _rewrite_chain(app, seq: int) -> None:
    """Change one event and re-hash every event after it, as a careful forger would."""
    from server.core.events import _digest

    with app.state.store.write() as db:
        db.execute("update events set actor = 'forger' where seq = ?", [seq])
        rows = list(db.query("select * from events where seq >= ? order by seq", [seq]))
        prev = db.execute("select hash from events where seq = ?", [seq - 1]).fetchone()[0]
        for row in rows:
            row["prev_hash"] = prev
            row["hash"] = prev = _digest(prev, row)
            db.execute(
                "update events set prev_hash = ?, hash = ? where seq = ?",
                [row["prev_hash"], row["hash"], row["seq"]],
            )


def test_a_rewritten_chain_is_caught_by_a_head_written_down_before(audited):
    from server.ops.verify import verify

    app = audited[0]
    store, settings = app.state.store, app.state.settings
    head = verify(store, settings).head_hash
    _rewrite_chain(app, 3)
    assert verify(store, settings).problems == [], "the forger re-hashed everything"
    found = verify(store, settings, expect_head=head).problems
    assert any("rewritten" in p for p in found)

    command = [sys.executable, "-m", "server", "verify", "--data", str(settings.data_dir)]
    new_head = verify(store, settings).head_hash
    ok = subprocess.run([*command, "--expect-head", new_head], capture_output=True, text=True)
    assert ok.returncode == 0 and new_head in ok.stdout, ok.stderr
    bad = subprocess.run([*command, "--expect-head", head], capture_output=True, text=True)
    assert bad.returncode == 1 and "rewritten" in bad.stderr
