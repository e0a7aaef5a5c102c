"""The supervisor's console (#/review, #/review/<id>, #/reports) against the real server.

A supervisor works through the review queue with the keyboard (return one, approve the next);
the officer's tablet shows the returned audit, the officer fixes and resubmits it, and the
supervisor approves it. The server's refusals show (photos missing, a zone the supervisor owns),
return needs a comment, admins void. The scorecard and zone board open as PDFs. The reports say
what GET /api/reports/* says; a site-limited supervisor sees only their site. Every screen fits
at 1280x800 and 1024x768 with nothing serious in axe.

The module runs two servers of its own, so the queue holds exactly what a test put there:
`desk` (the demo company without audits: the tests create them) and `demo` (with the demo's two
months of audits, for the reports and the screenshots).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from .conftest import (
    LANDSCAPE,
    Server,
    answer_items,
    api_answers,
    app_ready,
    applicable,
    axe_check,
    demo_server,
    flush,
    go,
    jpeg,
    plan,
    poll,
    running_server,
    shot,
    sign_in,
    submit,
    wait_saved,
)

DESK = {"width": 1280, "height": 800}  # the office PC
SIZES = (DESK, LANDSCAPE)  # and the tablet, 1024x768
ROWS_JS = "(els) => els.map((e) => e.dataset.queueRow)"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("console-desk")) as running:
        yield running


@pytest.fixture(scope="module")
def demo(demo_data, tmp_path_factory):
    with demo_server(demo_data, tmp_path_factory, "console-demo") as server:
        yield server


# --- helpers -------------------------------------------------------------------------------


def console_in(page, origin: str, username: str = "supervisor", password: str = "demo") -> None:
    """Sign in through the login screen; a supervisor starts on the review queue."""
    page.goto(origin + "/#/login")
    app_ready(page)
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("[data-login]")
    page.wait_for_selector("[data-review-queue]")
    assert page.url.endswith("#/review"), page.url


def queue_rows(page) -> list[str]:
    return page.eval_on_selector_all("[data-queue-row]", ROWS_JS)


def six_s(server: Server) -> dict:
    boot = server.api("GET", "/api/bootstrap", user="officer").json()
    return next(c for c in boot["checklists"] if c["id"] == "6s-zone")


def upload(server: Server, data: bytes, user: str = "officer") -> str:
    sha = hashlib.sha256(data).hexdigest()
    headers = {**server.headers(user), "Content-Type": "image/jpeg"}
    response = httpx.put(f"{server.base}/api/photos/{sha}", content=data, headers=headers)
    assert response.status_code in (200, 201), response.text
    return sha


def put_audit(server: Server, zone_id: str, minutes_ago: int, change=None) -> str:
    """A submitted 6S audit by `officer`, sent `minutes_ago`; `change(answers, items)` first."""
    items = applicable(six_s(server), server.zone(zone_id)["kind"])
    answers = api_answers(items, plan(items))
    if change:
        change(answers, items)
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    audit_id = str(uuid.uuid4())
    body = {
        "checklist_id": "6s-zone",
        "checklist_version": six_s(server)["version"],
        "zone_id": zone_id,
        "started_at": (at - timedelta(minutes=20)).isoformat(),
        "submitted_at": at.isoformat(),
        "status": "submitted",
        "answers": answers,
    }
    response = server.api("PUT", f"/api/audits/{audit_id}", user="officer", json=body)
    assert response.status_code == 201, response.text
    return audit_id


def critical(items) -> tuple[str, dict]:
    return next((s, i) for s, i in items if i.get("critical"))


def open_audit(page, audit_id: str) -> None:
    go(page, f"#/review/{audit_id}")
    page.wait_for_selector(f'[data-review="{audit_id}"]')


def active_row(page) -> str | None:
    return page.evaluate("() => document.activeElement.dataset.queueRow || null")


def both_sizes(page, name: str) -> None:
    """`shot` and axe at 1280x800 and 1024x768; the page keeps its size after."""
    before = page.viewport_size
    for size in SIZES:
        page.set_viewport_size(size)
        page.wait_for_timeout(150)  # a layout pass after the resize
        shot(page, name)
        axe_check(page, f"{name} at {size['width']}x{size['height']}")
    page.set_viewport_size(before)


def months_to(month: str, n: int = 6) -> list[str]:
    y, m = map(int, month.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def one(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def wait_report(page, month: str, site: str = "") -> None:
    page.wait_for_selector(
        f"[data-report-body][data-month='{month}'][data-site='{site}'][aria-busy='false']"
    )


# --- the queue, worked with the keyboard ----------------------------------------------------


def test_a_supervisor_works_through_the_queue_with_the_keyboard(desk, pages):
    photo = upload(desk, jpeg(1600, 1200, seed=7))
    office_items = applicable(six_s(desk), desk.zone("hq-office")["kind"])
    crit_section, crit = critical(office_items)

    def capped(answers, items):
        answers[crit["id"]] = {"value": 1, "note": "消防通道被纸箱堵住", "photos": [photo]}

    first = put_audit(desk, "hq-office", 180, capped)
    second = put_audit(desk, "hq-lounge", 120)
    third = put_audit(desk, "hq-showroom", 60)

    page = pages.new(DESK)
    console_in(page, desk.origin)
    assert queue_rows(page) == [first, second, third], "longest waiting first"
    assert page.get_attribute("[data-queue-total]", "data-queue-total") == "3"
    row = page.locator(f'[data-queue-row="{first}"]')
    assert row.locator('[data-flag="capped"]').count() == 1
    assert "办公区" in row.text_content() and "何敏" in row.text_content()
    assert "J" in page.text_content("[data-shortcuts]")

    # j / k move through the rows, Enter opens.
    page.keyboard.press("j")
    assert active_row(page) == first
    page.keyboard.press("j")
    assert active_row(page) == second
    page.keyboard.press("ArrowUp")
    assert active_row(page) == first
    page.keyboard.press("Enter")
    page.wait_for_selector(f'[data-review="{first}"]')
    assert crit["label"]["zh"] in page.text_content("[data-capped]")
    card = page.locator(f'[data-review-item="{crit["id"]}"]')
    assert card.get_attribute("data-fail") == "true"
    assert "消防通道被纸箱堵住" in card.text_content()
    assert card.locator("[data-anchor]").text_content() == crit["anchors"]["1"]["zh"]

    # The photo full size, zoomed by the keys and the buttons; Esc closes only the dialog.
    page.click(f'[data-photo="{photo}"]')
    page.wait_for_selector("dialog[data-lightbox][data-loaded]")
    page.keyboard.press("+")
    zoomed = page.get_attribute("dialog[data-lightbox]", "data-zoom")
    assert zoomed != "fit"
    page.click("[data-zoom='in']")
    assert int(page.get_attribute("dialog[data-lightbox]", "data-zoom")) > int(zoomed)
    page.click("[data-zoom='fit']")
    assert page.get_attribute("dialog[data-lightbox]", "data-zoom") == "fit"
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog[data-lightbox]", state="detached")
    assert page.url.endswith(f"#/review/{first}")

    # r: to the comment; Ctrl+Enter returns it; on to the next in the queue.
    page.keyboard.press("r")
    assert page.evaluate("() => document.activeElement.matches('[data-comment]')")
    page.keyboard.type("消防通道请复查并补拍整改照片")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(f'[data-review="{second}"]')
    returned = desk.audit(first)
    assert returned["status"] == "returned"
    assert returned["review"]["comment"] == "消防通道请复查并补拍整改照片"

    # a: approve; on to the next; Esc back to the queue.
    page.keyboard.press("a")
    page.wait_for_selector(f'[data-review="{third}"]')
    assert desk.audit(second)["status"] == "approved"
    page.keyboard.press("Escape")
    page.wait_for_selector(f'[data-queue-row="{third}"]')
    assert queue_rows(page) == [third]

    # The officer's tablet: the returned audit on the home screen, fixed and sent again.
    tablet = pages.new()
    sign_in(tablet, desk.origin, "officer")
    banner = tablet.locator("[data-returned-count]")
    banner.wait_for(state="visible")
    assert tablet.locator(f'[data-returned-audit="{first}"]').count() == 1
    assert "消防通道请复查" in banner.text_content()
    tablet.click(f'[data-returned-audit="{first}"]')
    tablet.wait_for_selector("[data-item-id]")
    answer_items(tablet, [(crit_section, crit)], {crit["id"]: 4})
    wait_saved(tablet, first, {crit["id"]: 4})
    submit(tablet, first)
    flush(tablet)
    poll(
        "the fixed audit on the server",
        lambda: (a := desk.audit(first))["status"] == "submitted" and a["revision"] == 2,
        page=tablet,
    )

    # Back in the queue (after the one waiting longer); approved from there with the keys.
    page.reload()
    app_ready(page)
    page.wait_for_selector(f'[data-queue-row="{first}"]')
    assert queue_rows(page) == [third, first]
    for _ in range(3):
        if active_row(page) == first:
            break
        page.keyboard.press("j")
    assert active_row(page) == first
    page.keyboard.press("Enter")
    page.wait_for_selector(f'[data-review="{first}"]')
    assert page.locator("[data-capped]").count() == 0
    page.keyboard.press("a")
    page.wait_for_selector("[data-review-queue]")  # nothing after it: back to the queue
    assert desk.audit(first)["status"] == "approved"
    assert queue_rows(page) == [third]
    pages.check()


# --- refusals, filters, void ----------------------------------------------------------------


def test_refusals_show_and_return_needs_a_comment(desk, pages):
    def unsent_photo(answers, items):
        answers[items[0][1]["id"]]["photos"] = ["ab" * 32]  # named, never uploaded

    waiting = put_audit(desk, "hq-bodyshop", 30, unsent_photo)
    r = desk.api(
        "POST",
        "/api/users",
        user="admin",
        json={"username": "boss_li", "password": "demo", "role": "supervisor", "staff_id": "s-li"},
    )
    assert r.status_code == 201, r.text

    page = pages.new(DESK)
    console_in(page, desk.origin)
    page.click('[data-filter="zone_id"][data-filter-value="hq-bodyshop"]')
    page.wait_for_selector(
        '[data-filter="zone_id"][data-filter-value="hq-bodyshop"][aria-pressed="true"]'
    )
    assert queue_rows(page) == [waiting]
    assert page.locator(f'[data-queue-row="{waiting}"] [data-flag="photos"]').count() == 1
    page.click(f'[data-queue-row="{waiting}"]')
    page.wait_for_selector(f'[data-review="{waiting}"]')

    # Approve: 409 while a photo is missing, the server's words shown.
    page.keyboard.press("a")
    page.wait_for_selector("[data-review-error]:not(:empty)")
    assert "incomplete" in page.text_content("[data-review-error]")
    # Return without a comment: asked for one, nothing sent.
    page.fill("[data-comment]", "")
    page.click("[data-return]")
    assert "意见" in page.text_content("[data-review-error]")
    assert page.get_attribute("[data-comment]", "aria-invalid") == "true"
    assert desk.audit(waiting)["status"] == "submitted"

    # The zone's owner (责任人) may not review it: 403, shown.
    boss = pages.new(DESK)
    console_in(boss, desk.origin, "boss_li")
    open_audit(boss, waiting)
    boss.fill("[data-comment]", "请补传照片")
    boss.click("[data-return]")
    boss.wait_for_selector("[data-review-error]:not(:empty)")
    assert "zone you own" in boss.text_content("[data-review-error]")

    # Returned with a comment: nothing left under the filter, back to the queue.
    page.fill("[data-comment]", "照片没有传上来，请联网同步后重新提交")
    page.click("[data-return]")
    page.wait_for_selector("[data-queue-empty]")
    assert desk.audit(waiting)["status"] == "returned"
    page.click('[data-filter="zone_id"][data-filter-value=""]')
    page.wait_for_selector('[data-filter="zone_id"][data-filter-value=""][aria-pressed="true"]')
    pages.check()


def test_admins_void_and_officers_are_told_it_is_for_supervisors(desk, pages):
    audit_id = put_audit(desk, "east-store", 20)
    admin = pages.new(DESK)
    admin.goto(desk.origin + "/#/login")
    app_ready(admin)
    admin.fill("#username", "admin")
    admin.fill("#password", "demo")
    admin.click("[data-login]")
    admin.wait_for_selector("[data-admin-nav]")  # admins keep #/admin, with the console in reach
    admin.click("[data-admin-nav] [data-nav-review]")
    admin.wait_for_selector(f'[data-queue-row="{audit_id}"]')
    open_audit(admin, audit_id)
    admin.click("[data-void-panel] summary")
    admin.click("[data-void]")
    assert "原因" in admin.text_content("[data-void-error]")
    admin.fill("[data-void-reason]", "重复录入 Entered twice")
    admin.click("[data-void]")
    admin.wait_for_selector("[data-void-info]")
    assert "重复录入" in admin.text_content("[data-void-info]")
    assert admin.locator("[data-decision]").count() == 0
    assert desk.audit(audit_id)["status"] == "void"

    officer = pages.new()
    sign_in(officer, desk.origin, "officer")
    assert officer.locator("[data-nav-console]").count() == 0
    go(officer, "#/review")
    officer.wait_for_selector("[data-supervisors-only]")
    # Offline, a console screen not opened before says it needs the network.
    boss = pages.new()
    console_in(boss, desk.origin)
    boss.context.set_offline(True)
    go(boss, "#/reports")
    boss.wait_for_selector("[data-console-offline], [data-needs-network]")
    boss.context.set_offline(False)
    boss.wait_for_selector("[data-report-body][aria-busy='false']")  # drawn again once online
    pages.check()


# --- PDFs ------------------------------------------------------------------------------------


def _pdf_head(page, url: str) -> list[str]:
    return page.evaluate(
        "async (url) => { const b = await (await fetch(url)).blob();"
        " return [b.type, await b.slice(0, 5).text()]; }",
        url,
    )


def test_the_scorecard_and_zone_board_open_as_pdfs(desk, pages):
    audit_id = put_audit(desk, "hq-parts", 10)
    page = pages.new(DESK)
    console_in(page, desk.origin)
    open_audit(page, audit_id)
    with page.context.expect_page() as opened:
        page.click("[data-scorecard]")
    tab = opened.value
    assert tab.url.startswith("blob:")
    assert _pdf_head(page, tab.url) == ["application/pdf", "%PDF-"]

    # The zone board of the month, from the reports' trend.
    approved = desk.api("POST", f"/api/audits/{audit_id}/review", json={"decision": "approve"})
    assert approved.status_code == 200, approved.text
    month = approved.json()["month"]
    go(page, "#/reports")
    wait_report(page, month)
    tabs = []
    page.context.on("page", lambda tab: tabs.append(tab))
    with page.expect_response(lambda r: "/board.pdf" in r.url) as answered:
        page.click('[data-board="hq-parts"]')
    response = answered.value
    assert response.url.endswith(f"/api/zones/hq-parts/board.pdf?month={month}")
    assert response.request.headers.get("authorization", "").startswith("Bearer ")
    assert response.status == 200
    poll("the board's tab", lambda: tabs, page=page)
    assert _pdf_head(page, tabs[0].url) == ["application/pdf", "%PDF-"]
    pages.check()


# --- reports ---------------------------------------------------------------------------------


def check_reports(page, server: Server, user: str, month: str, site: str | None = None) -> None:
    """What the trend, radar, ranking, findings and calibration say, against the API."""
    scope = {"site_id": site} if site else {}
    months = months_to(month)
    zones = server.api(
        "GET", "/api/reports/zones", user=user, params={"from": months[0], "to": month, **scope}
    ).json()
    rows = {(r["zone_id"], r["month"]): r for r in zones["rows"]}
    shown = page.eval_on_selector_all(
        "[data-trend-zone]", "(els) => els.map((e) => e.dataset.trendZone)"
    )
    assert sorted(shown) == sorted({r["zone_id"] for r in zones["rows"]})
    for zone_id in shown:
        for m in months:
            value = page.text_content(f'[data-trend-zone="{zone_id}"] [data-trend-value="{m}"]')
            row = rows.get((zone_id, m))
            assert value == one(row and row["mean"]), (zone_id, m)

    this = [r for r in zones["rows"] if r["month"] == month]
    assert page.locator("[data-rank-zone]").count() == len(this)
    for r in this:
        tr = page.locator(f'[data-rank-zone="{r["zone_id"]}"]')
        assert tr.get_attribute("data-rank") == ("" if r["rank"] is None else str(r["rank"]))
        assert tr.locator("[data-mean]").text_content() == one(r["mean"])
        assert tr.locator("[data-audits]").text_content() == str(r["audits"])
        assert tr.locator("[data-red-flag]").count() == int(r["red_flag"])

    if this:  # the radar for one zone: its own section means, this month and the last
        zone_id = this[0]["zone_id"]
        page.select_option("[data-radar-zone]", zone_id)
        page.wait_for_selector(
            f"[data-radar-zone] option[value='{zone_id}']:checked", state="attached"
        )
        before = rows.get((zone_id, months[-2]))
        for section in zones["sections"]:
            cells = page.locator(f'[data-radar-compare] [data-s="{section["id"]}"]')
            assert cells.locator("[data-now]").text_content() == one(
                this[0]["sections"][section["id"]]
            )
            expected = one(before and before["sections"][section["id"]])
            assert cells.locator("[data-before]").text_content() == expected
        page.select_option("[data-radar-zone]", "")

    findings = server.api(
        "GET", "/api/reports/findings", user=user, params={"month": month, **scope}
    ).json()
    top = findings["findings"][:10]
    shown = page.eval_on_selector_all(
        "[data-finding]", "(els) => els.map((e) => e.dataset.finding)"
    )
    assert shown == [f["item_id"] for f in top]
    assert page.get_attribute("[data-findings-audits]", "data-findings-audits") == str(
        findings["audits"]
    )
    for f in top:
        item = page.locator(f'[data-finding="{f["item_id"]}"]')
        assert item.locator("[data-fails]").get_attribute("data-fails") == str(f["fails"])
        zones_shown = item.locator("[data-finding-zone]").evaluate_all(
            "(els) => els.map((e) => e.dataset.findingZone)"
        )
        assert zones_shown == [z["zone_id"] for z in f["zones"]]
        assert item.locator("[data-photo]").count() == min(4, len(f["photos"]))

    officers = server.api(
        "GET", "/api/reports/officers", user=user, params={"month": month, **scope}
    ).json()
    assert page.text_content("[data-how-to-read]").strip() == officers["how_to_read"]["zh"]
    assert page.locator("[data-officer]").count() == len(officers["officers"])
    for o in officers["officers"]:
        tr = page.locator(f'[data-officer="{o["officer_id"]}"]')
        assert tr.locator("th").text_content() == o["name"]
        assert tr.locator('[data-k="audits"]').text_content() == str(o["audits"])
        assert tr.locator('[data-k="mean"]').text_content() == one(o["mean"])
        shown_difference = tr.locator('[data-k="difference"]').get_attribute("data-value")
        assert (float(shown_difference) if shown_difference else None) == o["difference"]
        for k in ("na_rate", "photo_rate", "fail_rate"):
            expected = "–" if o[k] is None else f"{o[k]:.1f}%"
            assert tr.locator(f'[data-k="{k}"]').text_content() == expected


def test_the_reports_show_what_the_api_says(demo, pages):
    page = pages.new(DESK)
    console_in(page, demo.origin)
    page.click("[data-nav-reports]")
    page.wait_for_selector("[data-report-body][aria-busy='false']")
    month = page.get_attribute("[data-report-body]", "data-month")
    assert month == page.input_value("[data-report-month]")
    check_reports(page, demo, "supervisor", month)
    # The month of the newest approved audit: on the 1st, this month has none yet.
    newest = demo.api("GET", "/api/audits?status=approved&limit=1").json()["audits"][0]
    if newest["month"] != month:
        month = newest["month"]
        page.fill("[data-report-month]", month)
        wait_report(page, month)
        check_reports(page, demo, "supervisor", month)
    assert page.locator("[data-red-flag]").count() >= 1
    assert page.locator("[data-finding] [data-photo]").count() >= 1

    # A finding's photo, full size.
    page.locator("[data-finding] [data-photo]").first.click()
    page.wait_for_selector("dialog[data-lightbox][data-loaded]")
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog[data-lightbox]", state="detached")

    # The month before, by the picker; then one site.
    before = months_to(month)[-2]
    page.fill("[data-report-month]", before)
    wait_report(page, before)
    check_reports(page, demo, "supervisor", before)
    page.select_option("[data-report-site]", "east")
    wait_report(page, before, "east")
    check_reports(page, demo, "supervisor", before, "east")
    pages.check()


def test_a_site_limited_supervisor_sees_only_their_site(demo, pages):
    r = demo.api(
        "POST",
        "/api/users",
        user="admin",
        json={
            "username": "east_boss",
            "password": "demo",
            "role": "supervisor",
            "name": "东站主管",
            "site_ids": ["east"],
        },
    )
    assert r.status_code == 201, r.text
    everyone = demo.api("GET", "/api/audits", params={"status": "submitted", "limit": 200}).json()
    assert {a["site_id"] for a in everyone["audits"]} >= {"east", "hq"}, "the demo queue spans both"

    page = pages.new(DESK)
    console_in(page, demo.origin, "east_boss")
    shown = queue_rows(page)
    theirs = [a for a in everyone["audits"] if a["site_id"] == "east"]
    assert shown and sorted(shown) == sorted(a["id"] for a in theirs)
    site_chips = page.eval_on_selector_all(
        '[data-filter="site_id"]', "(els) => els.map((e) => e.dataset.filterValue)"
    )
    assert site_chips == ["", "east"]

    go(page, "#/reports")
    page.wait_for_selector("[data-report-body][aria-busy='false']")
    assert page.locator("[data-report-site]").count() == 0, "one site: nothing to choose"
    month = page.get_attribute("[data-report-body]", "data-month")
    check_reports(page, demo, "east_boss", month)
    zones = page.eval_on_selector_all(
        "[data-trend-zone]", "(els) => els.map((e) => e.dataset.trendZone)"
    )
    assert zones and all(z.startswith("east-") for z in zones)
    pages.check()


# --- every screen at both sizes --------------------------------------------------------------


def test_every_console_screen_fits_and_passes_axe(demo, pages):
    page = pages.new(DESK)
    console_in(page, demo.origin)
    both_sizes(page, "console-queue")

    first = queue_rows(page)[0]
    open_audit(page, first)
    page.wait_for_selector("[data-previous-link]")
    both_sizes(page, "console-audit")
    page.check("[data-only-changed]")
    both_sizes(page, "console-audit-changed")
    page.locator("[data-photo]").first.click()
    page.wait_for_selector("dialog[data-lightbox][data-loaded]")
    both_sizes(page, "console-photo")
    page.keyboard.press("Escape")

    approved = demo.api("GET", "/api/audits", params={"status": "approved", "limit": 1}).json()
    open_audit(page, approved["audits"][0]["id"])
    page.wait_for_selector("[data-review-info='approve']")
    both_sizes(page, "console-audit-approved")

    go(page, "#/reports")
    page.wait_for_selector("[data-report-body][aria-busy='false']")
    both_sizes(page, "console-reports")

    page.click("[data-lang-toggle]")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    page.wait_for_selector("[data-report-body][aria-busy='false'] [data-calibration]")
    assert "Reports" in page.text_content("h1")
    both_sizes(page, "console-reports-en")
    go(page, "#/review")
    page.wait_for_selector("[data-queue-row]")
    assert "Review queue" in page.text_content("h1")
    both_sizes(page, "console-queue-en")
    open_audit(page, first)
    both_sizes(page, "console-audit-en")
    page.click("[data-lang-toggle]")
    pages.check()
