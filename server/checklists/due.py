"""What is due: which checklists a zone wants now, from their `due_every_days` and the zone's
finished audits. The tablet shows these as 待检查 (due); pwa/js/rules.js mirrors this rule and
tests/vectors/rules.json holds the two equal.

A checklist with `due_every_days: N` is due on a zone when none of its audits there was
finished (submitted, returned or approved: the zone was walked) within the last N calendar
days, counted in local dates: done on the 3rd, a daily checklist is due again on the 4th, a
weekly one on the 10th. Local dates come from a UTC offset in minutes, so the server and
every tablet count the same days. Drafts and discarded audits do not count; without
`due_every_days` a checklist is never due (it is done when the work happens).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

DONE = frozenset({"submitted", "returned", "approved"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_MS = 86_400_000


def local_day(moment: str, offset_minutes: int) -> int:
    """The day number (days since 1970-01-01) of an ISO time at a UTC offset."""
    parsed = datetime.fromisoformat(moment)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    ms = (parsed - _EPOCH) // timedelta(milliseconds=1)
    return (ms + offset_minutes * 60_000) // _DAY_MS


def due_checklist_ids(
    checklists: Iterable[Mapping],
    audits: Iterable[Mapping],
    now: str,
    offset_minutes: int,
) -> list[str]:
    """The ids of `checklists` ({"id", "due_every_days"}) due now, in the order given.

    `audits` are the zone's audits as {"checklist_id", "status", "submitted_at",
    "started_at"}; an audit counts from its submitted_at (started_at when there is none).
    """
    last: dict[str, int] = {}
    for audit in audits:
        if audit["status"] not in DONE:
            continue
        at = audit.get("submitted_at") or audit.get("started_at")
        if not at:
            continue
        day = local_day(at, offset_minutes)
        last[audit["checklist_id"]] = max(day, last.get(audit["checklist_id"], day))
    today = local_day(now, offset_minutes)
    due = []
    for checklist in checklists:
        every = checklist.get("due_every_days")
        if every is None:
            continue
        done = last.get(checklist["id"])
        if done is None or today - done >= every:
            due.append(checklist["id"])
    return due
