"""The event log's details are typed: every action the app writes has a registered kind, and
each row decodes to it."""

import uuid

from conftest import audit_body
from server.core import events


def test_every_event_the_app_writes_decodes_to_its_kind(client, app, officer, supervisor, admin):
    audit_id = str(uuid.uuid4())
    client.put(f"/api/audits/{audit_id}", json=audit_body(client, officer), headers=officer)
    client.post(f"/api/audits/{audit_id}/review", json={"decision": "approve"}, headers=supervisor)
    client.patch("/api/users/2", json={"role": "supervisor", "password": "s3cret"}, headers=admin)
    client.post("/api/logout", headers=officer)
    rows = list(app.state.store.read().query("select * from events order by seq"))
    actions = {row["action"] for row in rows}
    assert {
        "checklist.publish",
        "user.add",
        "token.issue",
        "audit.create",
        "audit.review",
    } <= actions
    assert {"user.change", "token.revoke_all", "token.revoke"} <= actions
    for row in rows:
        detail = events.decode(row)
        assert detail is not None, f"{row['action']} has no registered kind"
        assert (detail.action, detail.entity) == (row["action"], row["entity"])


def test_a_password_is_never_in_the_log(client, app, admin):
    client.patch("/api/users/2", json={"password": "n3ver-logged"}, headers=admin)
    (row,) = app.state.store.read().query("select * from events where action = 'user.change'")
    assert "n3ver-logged" not in row["detail"]
    assert events.decode(row).password_set is True
