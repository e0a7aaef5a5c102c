"""The monthly appraisal screen (#/appraisal, 月度考核) against the real server on a copy of the
demo company with its two months of audits (docs/appraisal.md).

A supervisor opens last month (the default) and this month: the table says what
GET /api/appraisal says, each row links to its statement PDF, each person's zones and note are
there, the CSV / XLSX / PDF download with the token, and there is no close button. An admin
closes last month from the screen (after a confirmation): the banner shows who closed it and the
frozen files' hashes, the API says closed, a second close is a 409; a voided audit of the closed
month shows as an amendment in this month; closing this month, which has not ended, is refused
with the server's message. Screenshots at 1024x768 and 768x1024, axe clean, in both languages.

The months are the sites' (Asia/Shanghai), computed when the test runs: "this month" is the
month the sites' calendar is in now, "last month" the one before.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .conftest import Server, app_ready, demo_server, go, poll, shots
from .test_console import console_in

BOM = b"\xef\xbb\xbf"
TYPES = {
    "csv": ("text/csv", BOM),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
    "pdf": ("application/pdf", b"%PDF-"),
}


@pytest.fixture(scope="module")
def demo(demo_data, tmp_path_factory):
    with demo_server(demo_data, tmp_path_factory, "console-appraisal") as server:
        yield server


def months(server: Server) -> tuple[str, str]:
    """(this month, last month) on the sites' calendar."""
    zone = server.api("GET", "/api/bootstrap").json()["timezone"]
    now = datetime.now(ZoneInfo(zone))
    last = (now.year - 1, 12) if now.month == 1 else (now.year, now.month - 1)
    return f"{now.year:04d}-{now.month:02d}", f"{last[0]:04d}-{last[1]:02d}"


def figure(value: float | None) -> str:
    """A figure as the screen writes it: one decimal, "–" for none."""
    return "–" if value is None else f"{value:.1f}"


def report(server: Server, month: str, user: str = "supervisor") -> dict:
    response = server.api("GET", "/api/appraisal", user=user, params={"month": month})
    assert response.status_code == 200, response.text
    return response.json()


def wait_month(page, month: str) -> None:
    page.wait_for_selector(f'[data-appraisal][data-month="{month}"][aria-busy="false"]')


def pick_month(page, month: str) -> None:
    page.fill("#ap-month", month)
    wait_month(page, month)


def admin_in(page, origin: str) -> None:
    """An admin starts on #/admin; the appraisal is one click away in the console."""
    page.goto(origin + "/#/login")
    app_ready(page)
    page.fill("#username", "admin")
    page.fill("#password", "demo")
    page.click("[data-login]")
    page.wait_for_selector("[data-admin-nav]")
    go(page, "#/appraisal")


def shown_rows(page) -> list[dict]:
    return page.eval_on_selector_all(
        "tr[data-staff]",
        """(trs) => trs.map((tr) => {
          const k = (name) => tr.querySelector(`[data-k="${name}"]`);
          return {
            staff_id: tr.dataset.staff,
            employee_no: k("employee_no").textContent,
            name: k("name").textContent,
            score: k("score").dataset.value === "" ? null : Number(k("score").dataset.value),
            score_text: k("score").textContent.trim(),
            grade: k("grade").textContent,
            coefficient: Number(k("coefficient").dataset.value),
            insufficient: k("insufficient").dataset.value === "true",
            single_officer: k("single_officer").dataset.value === "true",
            red_lines: Number(k("red_lines").dataset.value),
            actions_open: Number(k("actions").dataset.open),
            actions_overdue: Number(k("actions").dataset.overdue),
            rates: [...tr.querySelectorAll("[data-rate]")].map((td) => [td.dataset.rate,
              td.dataset.value === "" ? null : Number(td.dataset.value)]),
            note: (document.querySelector(
              `[data-note-for="${CSS.escape(tr.dataset.staff)}"] [data-note]`) || {}
            ).textContent || "",
            statement: tr.querySelector("a[data-statement]").getAttribute("href"),
          };
        })""",
    )


def assert_table_is_the_api(page, data: dict) -> None:
    shown = shown_rows(page)
    assert [r["staff_id"] for r in shown] == [r["staff_id"] for r in data["rows"]]
    for row, want in zip(shown, data["rows"], strict=True):
        assert row["employee_no"] == want["employee_no"]
        assert row["name"] == want["name"]
        assert row["score"] == want["score"], row
        assert row["score_text"] == figure(want["score"])
        assert row["grade"] == (want["grade"] or "–")
        assert row["coefficient"] == want["coefficient"]
        assert row["insufficient"] == want["insufficient"]
        assert row["single_officer"] == want["single_officer"]
        assert row["red_lines"] == len(want["red_lines"])
        assert (row["actions_open"], row["actions_overdue"]) == (
            want["actions_open"],
            want["actions_overdue"],
        )
        assert row["rates"] == [[r["id"], r["value"]] for r in want["rates"]]
        assert row["statement"] == f"/api/appraisal/{data['month']}/staff/{want['staff_id']}.pdf"
        if want["note"]["zh"]:
            assert want["note"]["zh"] in row["note"]
        else:
            assert row["note"] == ""


# --- a supervisor reads a month --------------------------------------------------------------


def test_a_supervisor_reads_the_month_as_the_api_has_it(demo, pages):
    this, last = months(demo)
    page = pages.new()
    console_in(page, demo.origin)
    page.click("[data-nav-appraisal]")
    wait_month(page, last)  # HR pays last month: it opens first
    assert page.get_attribute("[data-nav-appraisal]", "aria-current") == "page"
    assert page.input_value("#ap-month") == last
    assert page.get_attribute("#ap-month", "max") == this
    data = report(demo, last)
    assert data["closed"] is None
    assert any(r["score"] is not None for r in data["rows"]), "the demo's last month has scores"
    assert_table_is_the_api(page, data)

    # Open: no banner, and no close button for a supervisor.
    assert page.locator("[data-open-month]").count() == 1
    assert page.locator("[data-closed]").count() == 0
    assert page.locator("[data-close-month]").count() == 0

    # The rule, the rules' version and the officers, as the report has them.
    assert page.text_content("[data-rule] .aprule") == data["rule"]["zh"]
    officers = page.eval_on_selector_all(
        "[data-calibration] [data-officer]", "(els) => els.map((e) => Number(e.dataset.officer))"
    )
    assert officers == [o["officer_id"] for o in data["officers"]]
    for o in data["officers"]:
        tr = page.locator(f'[data-calibration] [data-officer="{o["officer_id"]}"]')
        assert tr.locator('[data-k="audits"]').text_content() == str(o["audits"])
        assert tr.locator('[data-k="mean"]').text_content() == figure(o["mean"])
    assert "偏差" in page.text_content("[data-calibration] [data-how-to-read]")
    assert page.locator("[data-amendments]").count() == 0, "nothing closed yet"

    # A person's zones behind the score: hidden until asked for, then each zone-month.
    person = next(r for r in data["rows"] if len(r["parts"]) >= 2)
    toggle = page.locator(f'[data-parts-toggle="{person["staff_id"]}"]')
    parts = page.locator(f'[data-parts-for="{person["staff_id"]}"]')
    assert parts.is_hidden() and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert parts.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    for p in person["parts"]:
        tr = parts.locator(f'[data-part="{p["zone_id"]}"]')
        assert p["zone"] in tr.text_content()
        assert tr.locator('[data-k="score"]').text_content() == figure(p["score"])
        assert tr.locator('[data-k="used"]').text_content() == figure(p["used"])
    shots(page, "console-appraisal")
    toggle.click()
    assert parts.is_hidden()

    # The statement: the person's PDF, asked for with the token.
    with page.expect_request(lambda r: "/staff/" in r.url) as asked:
        page.click(f'a[data-statement="{person["staff_id"]}"]')
    request = asked.value
    assert request.url == f"{demo.origin}/api/appraisal/{last}/staff/{person['staff_id']}.pdf"
    assert request.all_headers()["authorization"].startswith("Bearer ")
    assert page.url.endswith("#/appraisal"), "the screen stays"

    # This month: what the API says too (the month is not over: still open).
    pick_month(page, this)
    assert_table_is_the_api(page, report(demo, this))
    assert page.locator("[data-close-month]").count() == 0

    # English: the rule and the grades in English, the table the same.
    page.click("[data-lang-toggle]")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    wait_month(page, this)  # the chosen month stays for the tab
    assert "Appraisal" in page.text_content("h1")
    english = report(demo, this)
    assert page.text_content("[data-rule] .aprule") == english["rule"]["en"]
    for row in english["rows"]:
        grade = page.text_content(f'tr[data-staff="{row["staff_id"]}"] [data-k="grade"]')
        assert grade == (row["grade_en"] or "–")
    pick_month(page, last)
    shots(page, "console-appraisal-en")
    page.click("[data-lang-toggle]")
    page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
    pages.check()


def test_the_files_download_with_the_token(demo, pages):
    """CSV (UTF-8 with a BOM), XLSX and PDF, fetched with the token and saved from a blob."""
    _, last = months(demo)
    page = pages.new()
    console_in(page, demo.origin)
    go(page, "#/appraisal")
    wait_month(page, last)
    for fmt, (media, head) in TYPES.items():
        with (
            page.expect_download() as saved,
            page.expect_response(lambda r, fmt=fmt: r.url.endswith(f"format={fmt}")) as answered,
        ):
            page.click(f'[data-download="{fmt}"]')
        response = answered.value
        assert response.url == f"{demo.origin}/api/appraisal?month={last}&format={fmt}"
        assert response.status == 200, (fmt, response.status)
        assert response.headers["content-type"].startswith(media)
        assert saved.value.suggested_filename == f"appraisal-{last}.{fmt}"
        data_bytes = Path(saved.value.path()).read_bytes()
        assert data_bytes.startswith(head), (fmt, data_bytes[:8])
    pages.check()


# --- an admin closes a month -----------------------------------------------------------------


def test_closing_a_month_that_has_not_ended_is_refused(demo, pages):
    this, last = months(demo)
    page = pages.new()
    admin_in(page, demo.origin)
    wait_month(page, last)
    pick_month(page, this)
    # This month has not ended: the server refuses, and its message is shown in place.
    refused = demo.api("POST", f"/api/appraisal/{this}/close", user="admin")
    assert refused.status_code in (400, 422), refused.text
    detail = refused.json()["detail"]
    page.click("[data-close-month]")
    page.click("[data-confirm-close]")
    said = page.locator("[data-close-error]")
    poll("the refusal shown", lambda: detail in (said.text_content() or ""), page=page)
    assert said.text_content().startswith("未能关账")
    assert report(demo, this)["closed"] is None
    assert page.locator("[data-closed]").count() == 0
    shots(page, "console-appraisal-refused")
    pages.check()


def test_an_admin_closes_last_month_from_the_screen(demo, pages):
    this, last = months(demo)
    page = pages.new()
    admin_in(page, demo.origin)
    wait_month(page, last)
    button = page.locator("[data-close-month]")
    assert last in button.text_content()

    # The confirmation first: cancelling sends nothing.
    button.click()
    dialog = page.locator("dialog[data-close-dialog]")
    assert dialog.is_visible() and last in dialog.locator("h2").text_content()
    page.click("[data-cancel-close]")
    assert dialog.is_hidden()
    assert report(demo, last)["closed"] is None

    # Confirmed: closed, and the banner says when, by whom and the files' hashes.
    button.click()
    with page.expect_response(lambda r: r.url.endswith(f"/api/appraisal/{last}/close")) as sent:
        page.click("[data-confirm-close]")
    assert sent.value.status == 201, sent.value.text()
    page.wait_for_selector("[data-closed]")
    wait_month(page, last)
    closed = report(demo, last)["closed"]
    assert closed is not None and closed["by"] == "admin"
    assert page.get_attribute("[data-closed]", "data-closed-at") == closed["at"]
    assert "admin" in page.text_content("[data-closed]")
    for k, sha in closed["sha256"].items():
        assert page.text_content(f'[data-closed] [data-sha="{k}"]') == f"{sha[:12]}…"
    assert page.locator("[data-close-month]").count() == 0
    assert page.evaluate("() => document.activeElement.matches('[data-closed]')")

    # A second close is a conflict that says when and by whom.
    again = demo.api("POST", f"/api/appraisal/{last}/close", user="admin")
    assert again.status_code == 409, again.text
    assert "admin" in again.json()["detail"]

    # The closed month's CSV is the stored file, and the screen hands out the same bytes.
    stored = demo.api("GET", "/api/appraisal", params={"month": last, "format": "csv"})
    assert stored.status_code == 200 and stored.content.startswith(BOM)
    with page.expect_download() as saved:
        page.click('[data-download="csv"]')
    assert Path(saved.value.path()).read_bytes() == stored.content
    shots(page, "console-appraisal-closed")

    # A later void changes a closed figure: listed as an amendment in this month.
    data = report(demo, last)
    person = next(r for r in data["rows"] if r["score"] is not None and len(r["audit_ids"]) > 2)
    amended = []
    for audit_id in person["audit_ids"][:3]:  # one void moves a mean, unless it was the mean
        voided = demo.api(
            "POST", f"/api/audits/{audit_id}/void", user="admin", json={"reason": "重复录入"}
        )
        assert voided.status_code == 200, voided.text
        now = report(demo, this)
        amended = [a for a in now["amendments"] if a["staff_id"] == person["staff_id"]]
        if amended:
            break
    assert amended, "a changed closed figure is listed in the next open month"
    assert report(demo, last)["closed"] == closed, "the closed month itself never moves"
    pick_month(page, this)
    row = page.locator(f'[data-amendment="{last}:{person["staff_id"]}"]')
    assert person["name"] in row.text_content()
    assert figure(amended[0]["closed"]["score"]) in row.locator('[data-k="closed"]').text_content()
    assert figure(amended[0]["now"]["score"]) in row.locator('[data-k="now"]').text_content()
    shots(page, "console-appraisal-amended")
    pages.check()
