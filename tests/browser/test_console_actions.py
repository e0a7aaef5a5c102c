"""The console's corrective actions (#/actions) and red-tag register (#/red-tags) against the
real server: the demo company with its audits, actions and red tags, plus what each test makes
through the API as the officer's tablet would. A supervisor sees an overdue action with its
owner's count, verifies a done one, is told why a move is refused, changes a due date; sees the
register, filters it and opens its PDFs. Both screens fit at 1280x800 and 1024x768, axe clean.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from .conftest import Server, demo_server, go, jpeg, poll
from .test_console import DESK, _pdf_head, both_sizes, console_in, put_audit, upload

ITEM = "sort-unneeded"  # 6S zone: fails open an action due in 7 days; a fail needs a photo


@pytest.fixture(scope="module")
def demo(demo_data, tmp_path_factory):
    with demo_server(demo_data, tmp_path_factory, "console-actions") as server:
        yield server


def action_id(audit_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"genba:action:{audit_id}:{ITEM}"))


def failed(server: Server, zone_id: str, note: str, seed: int) -> dict:
    """A submitted audit of the zone whose ITEM failed: the action it opened."""
    photo = upload(server, jpeg(800, 600, seed=seed))

    def fail(answers, items):
        answers[ITEM] = {"value": 1, "note": note, "photos": [photo]}

    audit_id = put_audit(server, zone_id, 30, fail)
    response = server.api("GET", f"/api/actions/{action_id(audit_id)}")
    assert response.status_code == 200, response.text
    return response.json()


def put_action(server: Server, action: dict, user: str, **changes) -> dict:
    body = {**action, **changes, "base_revision": action["revision"]}
    response = server.api("PUT", f"/api/actions/{action['id']}", user=user, json=body)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def made(demo):
    """An action of the office made overdue by the supervisor, and one of the lounge the
    officer has fixed (done), waiting to be verified."""
    late = failed(demo, "hq-office", "旧纸箱堆在通道", 31)
    late = put_action(demo, late, "supervisor", due="2026-01-05")
    assert late["overdue"] and late["days_overdue"] > 300
    done = failed(demo, "hq-lounge", "杂志架上有过期宣传单", 32)
    after = upload(demo, jpeg(800, 600, seed=33))
    done = put_action(
        demo, done, "officer", status="done", after_photos=[after], note="过期宣传单已清走"
    )
    return {"late": late, "done": done}


def wait_rows(page) -> None:
    page.wait_for_selector("[data-actions][data-count]")


def pick(page, filter_: str, value: str) -> None:
    page.click(f'[data-filter="{filter_}"][data-filter-value="{value}"]')
    page.wait_for_selector(
        f'[data-filter="{filter_}"][data-filter-value="{value}"][aria-pressed="true"]'
    )
    wait_rows(page)


def shown_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-action-row]", "(els) => els.map((e) => e.dataset.actionRow)"
    )


# --- actions -------------------------------------------------------------------------------


def test_a_supervisor_sees_overdue_actions_and_the_load_per_owner(demo, made, pages):
    late = made["late"]
    page = pages.new(DESK)
    console_in(page, demo.origin)
    page.click("[data-nav-actions]")
    wait_rows(page)
    assert page.get_attribute("[data-nav-actions]", "aria-current") == "page"

    # The load per owner, as GET /api/actions/owners has it, overdue first.
    loads = demo.api("GET", "/api/actions/owners").json()["owners"]
    shown = page.eval_on_selector_all(
        "[data-owner-row]", "(els) => els.map((e) => e.dataset.ownerRow)"
    )
    assert shown == [o["staff_id"] or "" for o in loads]
    for o in loads:
        tr = page.locator(f'[data-owner-row="{o["staff_id"] or ""}"]')
        for k in ("open", "overdue", "done"):
            assert tr.locator(f'[data-k="{k}"]').text_content() == str(o[k]), (o, k)
    liu = next(o for o in loads if o["staff_id"] == late["owner_staff_id"])
    assert liu["overdue"] >= 1

    # Overdue only, then the office's owner: the action made late is there, with its days.
    pick(page, "status", "overdue")
    overdue = demo.api("GET", "/api/actions", params={"overdue": "true", "limit": 30}).json()
    assert shown_ids(page) == [a["id"] for a in overdue["actions"]]
    page.click(f'[data-owner-pick="{late["owner_staff_id"]}"]')
    page.wait_for_selector(f'[data-filter="owner"][data-filter-value="{late["owner_staff_id"]}"]')
    wait_rows(page)
    mine = demo.api(
        "GET", "/api/actions", params={"overdue": "true", "owner": late["owner_staff_id"]}
    ).json()["actions"]
    assert shown_ids(page) == [a["id"] for a in mine] and len(mine) == liu["overdue"]
    row = page.locator(f'[data-action-row="{late["id"]}"]')
    assert row.get_attribute("data-overdue") == "true"
    days = row.locator("[data-days-overdue]")
    assert days.get_attribute("data-days-overdue") == str(late["days_overdue"])
    assert f"逾期 {late['days_overdue']} 天" in days.text_content()
    assert row.locator("[data-owner]").text_content() == late["owner_name"] == "刘芳"
    assert row.locator("[data-zone]").text_content() == "办公区"
    assert row.locator("[data-due]").get_attribute("data-due") == "2026-01-05"
    assert "旧纸箱堆在通道" in row.text_content()
    assert row.locator("[data-photo]").count() == 1  # the before photo; no after yet
    poll("the thumbnail", lambda: row.locator("img[data-thumb][src]").count(), page=page)

    # A new due date (supervisors may): no longer overdue.
    row.locator("[data-manage] summary").click()
    row.locator("[data-due-input]").fill("2030-01-31")
    row.locator("[data-save-plan]").click()
    poll(
        "the new due date on the server",
        lambda: demo.api("GET", f"/api/actions/{late['id']}").json()["due"] == "2030-01-31",
        page=page,
    )
    row = page.locator(f'[data-action-row="{late["id"]}"]')
    row.wait_for()
    assert row.get_attribute("data-overdue") == "false"
    assert row.locator("[data-days-overdue]").count() == 0
    put_action(
        demo, demo.api("GET", f"/api/actions/{late['id']}").json(), "supervisor", due="2026-01-05"
    )  # as it was, for the other tests
    pages.check()


def test_a_supervisor_verifies_a_done_action_and_is_told_what_is_refused(demo, made, pages):
    done = made["done"]
    page = pages.new(DESK)
    console_in(page, demo.origin)
    go(page, "#/actions")
    wait_rows(page)
    pick(page, "status", "done")
    pick(page, "zone_id", "hq-lounge")
    row = page.locator(f'[data-action-row="{done["id"]}"]')
    assert row.get_attribute("data-row-status") == "done"
    assert "过期宣传单已清走" in row.locator("[data-note-shown]").text_content()
    assert row.locator("[data-photo]").count() == 2, "before and after"

    # Reopening needs a note: refused here first.
    row.locator("[data-manage] summary").click()
    row.locator("[data-reopen]").click()
    assert row.locator("[data-action-error]").text_content() == "请说明原因"
    assert row.locator("[data-action-note]").get_attribute("aria-invalid") == "true"

    # Someone moved it meanwhile: the server's 409 and its copy show.
    stale = demo.api("GET", f"/api/actions/{done['id']}").json()
    moved = put_action(demo, stale, "officer", note="过期宣传单已清走，架子已擦净")
    row.locator("[data-verify]").click()
    error = page.locator(f'[data-action-row="{done["id"]}"] [data-action-error]')
    poll("the conflict said", lambda: "已在别处修改" in (error.text_content() or ""), page=page)
    row = page.locator(f'[data-action-row="{done["id"]}"]')
    assert "架子已擦净" in row.locator("[data-note-shown]").text_content()

    # Verified on the second try, on the revision now shown.
    row.locator("[data-verify]").click()
    page.wait_for_selector(f'[data-action-row="{done["id"]}"][data-row-status="verified"]')
    stored = demo.api("GET", f"/api/actions/{done['id']}").json()
    assert stored["status"] == "verified" and stored["revision"] == moved["revision"] + 1
    assert stored["verified_by"] is not None
    row = page.locator(f'[data-action-row="{done["id"]}"]')
    assert row.locator("[data-manage]").count() == 0, "final: nothing left to do"

    # A supervisor who owns a zone cannot verify its action: the server's 403, said in place.
    r = demo.api(
        "POST",
        "/api/users",
        user="admin",
        json={
            "username": "boss_zhao",
            "password": "demo",
            "role": "supervisor",
            "staff_id": "s-zhao",
        },
    )
    assert r.status_code == 201, r.text
    other = failed(demo, "hq-lounge", "地面有水渍", 34)
    after = upload(demo, jpeg(800, 600, seed=35))
    put_action(demo, other, "officer", status="done", after_photos=[after], note="已拖干")
    owner = pages.new(DESK)
    console_in(owner, demo.origin, "boss_zhao")
    go(owner, "#/actions")
    wait_rows(owner)
    pick(owner, "status", "done")
    pick(owner, "zone_id", "hq-lounge")
    row = owner.locator(f'[data-action-row="{other["id"]}"]')
    row.locator("[data-manage] summary").click()
    assert "您是该整改项的责任人" in row.text_content()
    row.locator("[data-verify]").click()
    error = owner.locator(f'[data-action-row="{other["id"]}"] [data-action-error]')
    poll("the refusal said", lambda: (error.text_content() or "").startswith("不允许"), page=owner)
    assert demo.api("GET", f"/api/actions/{other['id']}").json()["status"] == "done"
    pages.check()


# --- red tags ------------------------------------------------------------------------------


def tag(server: Server, zone_id: str, item: str, days: float, seed: int) -> dict:
    photo = upload(server, jpeg(800, 600, seed=seed))
    body = {
        "zone_id": zone_id,
        "item": item,
        "qty": 3,
        "reason": "长期不用",
        "photos": [photo],
        "tagged_at": (datetime.now(UTC) - timedelta(days=days)).isoformat(),
        "proposed": "sell",
    }
    response = server.api("PUT", f"/api/red-tags/{uuid.uuid4()}", user="officer", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_register_lists_the_tags_and_opens_its_pdfs(demo, pages):
    old = tag(demo, "east-workshop", "旧千斤顶支架", 10, 41)
    new = tag(demo, "east-workshop", "多余的轮胎架", 1, 42)
    assert old["over_limit"] and not new["over_limit"]
    page = pages.new(DESK)
    console_in(page, demo.origin)
    page.click("[data-nav-red-tags]")
    page.wait_for_selector("[data-red-tags][data-count]")

    def shown() -> list[str]:
        return page.eval_on_selector_all(
            "[data-tag-row]", "(els) => els.map((e) => e.dataset.tagRow)"
        )

    listed = demo.api("GET", "/api/red-tags", params={"status": "open", "limit": 50}).json()
    assert shown() == [t["id"] for t in listed["red_tags"]], "open tags, oldest first"
    row = page.locator(f'[data-tag-row="{old["id"]}"]')
    assert row.get_attribute("data-over-limit") == "true"
    assert row.locator("[data-tag-label]").text_content() == old["tag_label"]
    assert row.locator("[data-age]").get_attribute("data-age") == str(old["age_days"])
    assert "超过 7 天期限" in row.text_content() and "旧千斤顶支架" in row.text_content()

    # One site, over the limit only.
    page.click('[data-filter="site_id"][data-filter-value="east"]')
    page.wait_for_selector('[data-filter="site_id"][data-filter-value="east"][aria-pressed="true"]')
    page.click("[data-over-limit]")
    page.wait_for_selector('[data-over-limit][aria-pressed="true"]')
    over = demo.api(
        "GET", "/api/red-tags", params={"site_id": "east", "status": "open", "over_limit": "true"}
    ).json()["red_tags"]
    poll("the over-limit tags", lambda: shown() == [t["id"] for t in over], page=page)
    assert old["id"] in shown() and new["id"] not in shown()
    assert page.locator("[data-register-pdf]").count() == 1, "the chosen site's PDFs"

    # The register, as filtered, and the printable tags open as PDFs in a new tab.
    tabs = []
    page.context.on("page", lambda tab: tabs.append(tab))
    with page.expect_response(lambda r: "/red-tags.pdf" in r.url) as answered:
        page.click('[data-register-pdf="east"]')
    response = answered.value
    assert response.url.endswith("/api/sites/east/red-tags.pdf?status=open")
    assert response.status == 200
    poll("the register's tab", lambda: tabs, page=page)
    assert _pdf_head(page, tabs[0].url) == ["application/pdf", "%PDF-"]
    with page.expect_response(lambda r: "/labels.pdf" in r.url) as answered:
        page.click('[data-labels-pdf="east"]')
    assert answered.value.url.endswith("/api/sites/east/red-tags/labels.pdf?status=open")
    assert answered.value.status == 200
    poll("the tags' tab", lambda: len(tabs) == 2, page=page)
    pages.check()


# --- both screens at both sizes --------------------------------------------------------------


def test_both_screens_fit_and_pass_axe(demo, made, pages):
    page = pages.new(DESK)
    console_in(page, demo.origin)
    go(page, "#/actions")
    wait_rows(page)
    page.wait_for_selector("[data-action-row] img[data-thumb][src]")
    both_sizes(page, "console-actions")
    pick(page, "status", "done")
    first = page.locator("[data-action-row]").first
    first.locator("[data-manage] summary").click()
    both_sizes(page, "console-actions-done")

    go(page, "#/red-tags")
    page.wait_for_selector("[data-red-tags][data-count]")
    page.wait_for_selector("[data-tag-row] img[data-thumb][src]")
    both_sizes(page, "console-red-tags")

    page.click("[data-lang-toggle]")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    page.wait_for_selector("[data-red-tags][data-count]")
    assert "Red tags" in page.text_content("h1")
    both_sizes(page, "console-red-tags-en")
    go(page, "#/actions")
    wait_rows(page)
    assert "Actions" in page.text_content("h1")
    both_sizes(page, "console-actions-en")
    page.click("[data-lang-toggle]")
    pages.check()
