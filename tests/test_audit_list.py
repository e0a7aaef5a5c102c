"""GET /api/audits pages and filters; GET /api/changes tells devices what happened."""

import uuid

from conftest import audit_body


def _submit(client, officer, **kw):
    audit_id = str(uuid.uuid4())
    client.put(f"/api/audits/{audit_id}", json=audit_body(client, officer, **kw), headers=officer)
    return audit_id


def test_pages_follow_the_cursor_newest_first(client, officer, supervisor):
    made = [_submit(client, officer) for _ in range(5)]
    seen, cursor = [], None
    while True:
        query = "/api/audits?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query, headers=supervisor).json()
        seen += [a["id"] for a in page["audits"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))


def test_filters_by_zone_status_and_month(client, officer, supervisor):
    office = _submit(client, officer)
    draft = _submit(client, officer, status="draft")
    east = _submit(client, officer, zone_id="east-workshop", zone_kind="workshop")
    made = (office, draft, east)

    def ids(query):
        return {
            a["id"] for a in client.get(f"/api/audits?{query}", headers=supervisor).json()["audits"]
        }

    assert ids("zone_id=hq-office") == {office, draft}
    assert ids("status=draft") == {draft}
    # Near midnight in the sites' time zone the three can fall in two months.
    months = {a: client.get(f"/api/audits/{a}", headers=officer).json()["month"] for a in made}
    for month in set(months.values()):
        assert ids(f"month={month}") == {a for a in made if months[a] == month}
    assert ids("month=2001-01") == set()


def test_bad_query_parameters_are_400(client, supervisor):
    for query in [
        "month=2026-13",
        "month=x",
        "cursor=-1",
        "cursor=abc",
        "limit=0",
        "limit=999",
        "status=lost",
    ]:
        response = client.get(f"/api/audits?{query}", headers=supervisor)
        assert response.status_code == 400, query
        assert response.json()["detail"]


def test_changes_without_since_gives_only_the_cursor(client, officer):
    body = client.get("/api/changes", headers=officer).json()
    assert int(body["cursor"]) > 0 and body["audits"] == []


def test_changes_bring_returned_audits_with_the_comment(client, officer, supervisor):
    cursor = client.get("/api/changes", headers=officer).json()["cursor"]
    audit_id = _submit(client, officer)
    client.post(
        f"/api/audits/{audit_id}/review",
        json={"decision": "return", "comment": "灭火器照片不清楚"},
        headers=supervisor,
    )
    changes = client.get(f"/api/changes?since={cursor}", headers=officer).json()
    assert [a["id"] for a in changes["audits"]] == [audit_id]
    assert changes["audits"][0]["status"] == "returned"
    assert changes["audits"][0]["review"]["comment"] == "灭火器照片不清楚"
    again = client.get(f"/api/changes?since={changes['cursor']}", headers=officer).json()
    assert again["audits"] == []


def test_changes_are_only_for_the_audits_officer(client, officer, supervisor):
    from conftest import login

    other = login(client, "officer2")
    cursor = client.get("/api/changes", headers=other).json()["cursor"]
    audit_id = _submit(client, officer)
    client.post(f"/api/audits/{audit_id}/review", json={"decision": "approve"}, headers=supervisor)
    assert client.get(f"/api/changes?since={cursor}", headers=other).json()["audits"] == []


def test_changes_from_zero_include_published_checklists(client, officer):
    checklists = client.get("/api/changes?since=0", headers=officer).json()["checklists"]
    assert {"id": "6s-zone", "version": 1} in [
        {"id": c["id"], "version": c["version"]} for c in checklists
    ]


def test_every_filter_pages_by_index_without_sorting(app):
    from server.audits.views import page_sql

    db = app.state.store.read()
    filters = [
        [],
        ["zone_id = ?"],
        ["status = ?"],
        ["month = ?"],
        ["zone_id = ?", "month = ?"],
        ["status = ?", "month = ?"],
        ["officer_id = ?"],
        ["officer_id = ?", "month = ?"],
        ["zone_id = ?", "(month, rowid) < (?, ?)"],
        ["zone_id = ?", "month = ?", "rowid < ?"],
        ["(month, rowid) < (?, ?)"],
        ["site_id = ?"],
        ["checklist_id = ?"],
        ["status = ?", "(coalesce(submitted_at, started_at), rowid) > (?, ?)"],
    ]
    for where in filters:
        for oldest in (False, True):
            keyset = " ".join(where)
            if oldest and ("month" in keyset or "rowid <" in keyset):
                continue  # the queue's order is indexed per status, not per month
            if "submitted_at" in keyset and not oldest:
                continue  # each keyset goes with its own order
            if oldest and "status = ?" not in where:
                where = ["status = ?", *where]  # the oldest-first order is one status's
            args = [1] * (sum(w.count("?") for w in where) + 1)
            sql = "explain query plan " + page_sql(where, oldest)
            plan = " | ".join(r[3] for r in db.execute(sql, args))
            assert "TEMP B-TREE" not in plan, (where, plan)
            assert "SCAN audits" not in plan or not where, (where, plan)


def test_pages_within_one_month_follow_the_cursor(client, officer, supervisor):
    made = [_submit(client, officer) for _ in range(5)]
    month = client.get(f"/api/audits/{made[0]}", headers=officer).json()["month"]
    seen, cursor = [], None
    while True:
        query = f"/api/audits?limit=2&month={month}" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query, headers=supervisor).json()
        seen += [a["id"] for a in page["audits"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == list(reversed(made))
