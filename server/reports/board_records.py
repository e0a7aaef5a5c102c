"""What the zone board (board.py) shows of the zone's corrective actions (整改项) and red tags
(红牌): the actions still waiting on their owner (open or reopened), overdue first, and the open
tags, those over the site's limit first. Both as they stand when the board is printed, whatever
month it is about: the morning meeting asks what is still to do.

The lists come from the records' own list functions (server/records/*), so the board counts
exactly what GET /api/actions and GET /api/red-tags say for the zone.
"""

from __future__ import annotations

from server.core.clock import today
from server.people.users import User
from server.records.action_lists import list_actions
from server.records.actions import WAITING
from server.records.red_tags import list_tags

PAGE = 200


def _all_actions(store, user: User, zone_id: str, now: str) -> list:
    filters = {"zone_id": zone_id, "status": list(WAITING)}
    found, cursor = [], None
    while True:
        page = list_actions(store, user, filters, cursor, PAGE, now)
        found += page.actions
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def _all_tags(store, user: User, zone_id: str, timezone: str) -> list:
    filters = {"zone_id": zone_id, "status": "open"}
    found, cursor = [], None
    while True:
        page = list_tags(store, user, filters, cursor, PAGE, timezone)
        found += page.red_tags
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def zone_records(store, settings, user: User, zone_id: str, tag_limit: int) -> dict:
    """The zone's waiting actions and open tags as rows for the board, most urgent first;
    `tag_limit` is the site's age limit for red tags (days)."""
    now = today(settings)
    actions = sorted(
        _all_actions(store, user, zone_id, now), key=lambda a: (-a.days_overdue, a.due)
    )
    tags = sorted(
        _all_tags(store, user, zone_id, settings.timezone),
        key=lambda t: (not t.over_limit, -t.age_days, t.tag_no),
    )
    return {
        "actions": [
            {
                "label": a.item_label,
                "item_id": a.item_id,
                "owner": a.owner_name,
                "due": a.due,
                "days_overdue": a.days_overdue,
                "reopened": a.status == "reopened",
            }
            for a in actions
        ],
        "actions_overdue": sum(1 for a in actions if a.overdue),
        "tags": [
            {
                "label": t.tag_label,
                "item": t.item,
                "qty": t.qty,
                "age": t.age_days,
                "over": t.over_limit,
            }
            for t in tags
        ],
        "tags_over": sum(1 for t in tags if t.over_limit),
        "tag_limit": tag_limit,
    }
