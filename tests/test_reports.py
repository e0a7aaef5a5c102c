"""Supervisor reports equal what the raw audits give when scored again from their answers."""

import json
import math
from collections import defaultdict

import msgspec

from conftest import site_supervisor, token_headers
from server.checklists.registry import get_version
from server.checklists.scoring import NA, Answer, is_fail, score_audit
from server.people.places import get_zone


def _r1(x):
    return math.floor(x * 10 + 0.5) / 10


def _raw(app, where="", params=()):
    """Every counted 6S audit, scored again from its stored answers."""
    store = app.state.store
    audits = []
    for row in store.read().query(
        "select id, zone_id, officer_id, month, body from audits where checklist_id = '6s-zone'"
        f" and status in ('submitted', 'approved') {where}",
        list(params),
    ):
        body = json.loads(row["body"])
        checklist = get_version(store, body["checklist_id"], body["checklist_version"])
        zone = get_zone(store, row["zone_id"])
        answers = {k: msgspec.convert(v, Answer) for k, v in body["answers"].items()}
        score = score_audit(checklist, answers, zone.kind)
        audits.append((row, checklist, zone, answers, score))
    return audits


def _month(app):
    """The newest month with counted audits (the newest audits may be drafts)."""
    return (
        app.state.store.read()
        .execute("select max(month) from audits where status in ('submitted', 'approved')")
        .fetchone()[0]
    )


def test_zone_trends_and_ranks_equal_the_raw_audits(demo_app):
    app, client = demo_app
    headers = token_headers(app, "supervisor")
    report = client.get("/api/reports/zones?from=2000-01&to=2099-12", headers=headers).json()
    expected = defaultdict(list)
    for row, _, _, _, score in _raw(app):
        expected[(row["zone_id"], row["month"])].append(score)
    got = {(r["zone_id"], r["month"]): r for r in report["rows"]}
    assert set(got) == set(expected)
    for key, scores in expected.items():
        row = got[key]
        assert row["audits"] == len(scores)
        assert row["mean"] == _r1(sum(s.percent for s in scores) / len(scores)), key
        for section, value in row["sections"].items():
            values = [
                s.sections[section].percent
                for s in scores
                if s.sections[section].percent is not None
            ]
            assert value == (_r1(sum(values) / len(values)) if values else None), (key, section)
    for (_, month), row in got.items():
        rivals = [r for r in got.values() if r["month"] == month and r["kind"] == row["kind"]]
        best = max(r["mean"] for r in rivals)
        assert row["red_flag"] == (row["mean"] == best) and row["ranked"] == len(rivals)


def test_findings_equal_the_fails_in_the_raw_answers(demo_app):
    app, client = demo_app
    month = _month(app)
    report = client.get(
        f"/api/reports/findings?month={month}", headers=token_headers(app, "supervisor")
    ).json()
    fails = defaultdict(set)
    audits = _raw(app, "and month = ?", [month])
    for row, checklist, zone, answers, _ in audits:
        for item in checklist.items():
            answer = answers.get(item.id)
            if answer and item.applies_to(zone.kind) and is_fail(item, answer.value):
                fails[item.id].add(row["id"])
    assert report["audits"] == len(audits)
    assert {f["item_id"]: set(f["audit_ids"]) for f in report["findings"]} == dict(fails)
    counts = [f["fails"] for f in report["findings"]]
    assert counts == sorted(counts, reverse=True) and counts, "most failed first"


def test_officer_calibration_equals_the_raw_answers(demo_app):
    app, client = demo_app
    month = _month(app)
    report = client.get(
        f"/api/reports/officers?month={month}", headers=token_headers(app, "admin")
    ).json()
    assert report["how_to_read"]["zh"] and report["how_to_read"]["en"]
    by_officer = defaultdict(list)
    for audit in _raw(app, "and month = ?", [month]):
        by_officer[audit[0]["officer_id"]].append(audit)
    got = {o["officer_id"]: o for o in report["officers"]}
    assert set(got) == set(by_officer)
    for officer_id, audits in by_officer.items():
        answered = na = photos = failed = 0
        for _, checklist, zone, answers, _ in audits:
            for item in checklist.items():
                answer = answers.get(item.id)
                if not answer or not item.applies_to(zone.kind):
                    continue
                photos += bool(answer.photos)
                if answer.value == NA:
                    na += 1
                elif answer.value is not None and item.type in (
                    "score",
                    "pass_fail",
                    "number",
                    "choice",
                ):
                    answered += 1
                    failed += is_fail(item, answer.value)
        row = got[officer_id]
        assert row["audits"] == len(audits)
        assert row["fail_rate"] == _r1(failed / answered * 100)
        assert row["na_rate"] == _r1(na / (answered + na) * 100)
        assert row["photo_rate"] == _r1(photos / (answered + na) * 100)


def test_calibration_compares_officers_on_the_same_zone(client, app, officer, supervisor):
    import uuid

    from conftest import audit_body

    other = token_headers(app, "officer2")
    percents = {}
    for who, headers, low in (("officer", officer, 0), ("officer2", other, 3)):
        body = audit_body(client, headers, zone_id="east-store", zone_kind="warehouse")
        for item_id in list(body["answers"])[:low]:
            if body["answers"][item_id]["value"] == 4:
                # 扣分必有依据: a deduction on 6s-zone needs a note or a photo to be submitted.
                body["answers"][item_id].update(value=2, note="扣分说明")
        response = client.put(f"/api/audits/{uuid.uuid4()}", json=body, headers=headers)
        percents[who] = response.json()["score"]["percent"]
        month = response.json()["month"]
    report = client.get(f"/api/reports/officers?month={month}", headers=supervisor).json()
    rows = {o["name"].split()[-1]: o for o in report["officers"]}
    lenient = percents["officer"] - percents["officer2"]
    assert lenient > 0
    assert rows["Min"]["difference"] == _r1(lenient) and rows["Min"]["compared"] == 1
    assert rows["Chao"]["difference"] == _r1(-lenient)


def test_reports_follow_the_callers_sites(client, app, officer, admin):
    east = site_supervisor(client, admin, "east.boss", "east")
    report = client.get("/api/reports/zones?from=2000-01&to=2099-12", headers=east).json()
    assert {r["site_id"] for r in report["rows"]} <= {"east"}
    assert client.get("/api/reports/findings?month=2026-01", headers=officer).status_code == 403
    bad = client.get("/api/reports/zones?from=2026-05&to=2026-01", headers=admin)
    assert bad.status_code == 422


def test_the_zone_board_prints_for_supervisors_of_its_site(demo_app, tmp_path):
    import subprocess

    app, client = demo_app
    month = _month(app)
    headers = token_headers(app, "supervisor")
    response = client.get(f"/api/zones/hq-workshop/board.pdf?month={month}", headers=headers)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True
    ).stdout.decode()
    assert "机电维修车间" in text
    assert (
        client.get(
            f"/api/zones/hq-workshop/board.pdf?month={month}", headers=token_headers(app, "officer")
        ).status_code
        == 403
    )
    assert client.get("/api/zones/nope/board.pdf?month=2026-01", headers=headers).status_code == 404
    assert (
        client.get("/api/zones/hq-workshop/board.pdf?month=2026-13", headers=headers).status_code
        == 400
    )
