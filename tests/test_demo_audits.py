"""`genba serve --demo` brings two months of audits, with drawn photos, that verify clean."""

from datetime import UTC, datetime, timedelta

import pytest

from server.ops.demo import ZONES
from server.ops.verify import problems


@pytest.fixture
def demo(demo_app):
    app = demo_app[0]
    return app.state.store, app.state.settings


def test_audits_span_two_months_zones_and_officers(demo):
    db = demo[0].read()
    months = {r[0] for r in db.execute("select distinct month from audits")}
    assert len(months) >= 2
    # every demo zone (eleven since the reception, paint and yard zones came) has audits
    assert db.execute("select count(distinct zone_id) from audits").fetchone()[0] == len(ZONES)
    assert db.execute("select count(distinct officer_id) from audits").fetchone()[0] == 2
    oldest = db.execute("select min(received_at) from audits").fetchone()[0]
    assert datetime.fromisoformat(oldest) < datetime.now(UTC) - timedelta(days=45)


def test_every_status_is_there_for_the_screens_to_show(demo):
    db = demo[0].read()
    statuses = {r[0] for r in db.execute("select distinct status from audits")}
    assert statuses == {"draft", "submitted", "returned", "approved"}


def test_findings_have_photos_on_disk(demo):
    store, settings = demo
    db = store.read()
    assert db.execute("select count(*) from photos").fetchone()[0] > 20
    missing = db.execute(
        "select count(*) from audit_photos where sha256 not in (select sha256 from photos)"
    ).fetchone()[0]
    assert missing == 0


def test_zones_differ_in_level(demo):
    db = demo[0].read()
    averages = dict(
        db.execute(
            "select zone_id, avg(score_percent) from audits where checklist_id = '6s-zone'"
            " group by zone_id"
        ).fetchall()
    )
    assert averages["hq-showroom"] > averages["hq-bodyshop"] + 10


def test_demo_data_verifies(demo):
    assert problems(*demo) == []


def test_findings_became_actions_in_every_state_and_items_carry_red_tags(demo):
    db = demo[0].read()
    actions = dict(db.execute("select status, count(*) from actions group by status"))
    assert {"open", "done", "verified"} <= set(actions)
    overdue = db.execute(
        "select count(*) from actions where status = 'open' and due < date('now')"
    ).fetchone()[0]
    assert overdue >= 1, "some are late, for the screens and the appraisal"
    tags = dict(db.execute("select status, count(*) from red_tags group by status"))
    assert tags.get("open", 0) >= 2 and tags.get("closed", 0) >= 1
    numbers = db.execute("select site_id, group_concat(tag_no) from red_tags group by site_id")
    for _, listed in numbers:
        got = sorted(int(n) for n in listed.split(","))
        assert got == list(range(1, len(got) + 1))


def test_every_checklist_a_zone_uses_gets_submitted_audits(demo):
    """Whatever a pack's submit rules ask (subject fields, a reason for an N/A, evidence for
    a deduction), the demo's audits meet them."""
    import json

    db = demo[0].read()
    used = {c for (ids,) in db.execute("select checklist_ids from zones") for c in json.loads(ids)}
    sent = {
        r[0]
        for r in db.execute(
            "select distinct checklist_id from audits where status in ('submitted', 'approved')"
        )
    }
    assert used <= sent, used - sent
