"""Zone ownership (责任人) with its history: who answers for a zone on which day.

Ownership comes in periods: from a start date on, these staff members own the zone with these
shares (percents adding up to 100), until the next period starts. A period with no owners
says the zone has none from that day. The owners of an audit are the owners on the audit's
day, so a change on the 15th leaves the first half of the month with the old owner.

Periods are added in date order; setting a period on the date of the latest one corrects it.
Every period set is in the event log.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from msgspec import Meta

from server.core import events
from server.core.db import Store
from server.core.errors import Invalid, field

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
Day = Annotated[str, Meta(pattern=ISO_DATE)]
# The first period of zones that had an owner before ownership had a history.
SINCE_ALWAYS = "2000-01-01"


class OwnerShare(msgspec.Struct, forbid_unknown_fields=True):
    staff_id: Annotated[str, Meta(min_length=1, max_length=64)]
    share: Annotated[float, Meta(gt=0, le=100)] = 100.0


class OwnersIn(msgspec.Struct, forbid_unknown_fields=True, rename={"starts": "from"}):
    """PUT /api/zones/{id}/owners: from this day on, these owners (none: no owner)."""

    starts: Day
    owners: Annotated[list[OwnerShare], Meta(max_length=20)]


class Period(msgspec.Struct, rename={"starts": "from", "ends": "to"}):
    starts: str
    ends: str | None  # the last day, the day before the next period; None: open
    owners: list[OwnerShare]


@events.kind("zone.owners", "zone")
class OwnersSet(events.Event, rename={"starts": "from"}):
    starts: str
    owners: list[OwnerShare]


def check_day(value: str, path: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise field(path, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _check_owners(db, body: OwnersIn) -> None:
    ids = [o.staff_id for o in body.owners]
    if len(set(ids)) != len(ids):
        raise field("$.owners", "a staff member is listed twice")
    total = sum(o.share for o in body.owners)
    if body.owners and abs(total - 100) > 1e-6:
        raise field("$.owners", f"shares add up to {total:g}, not 100")
    for i, owner in enumerate(body.owners):
        row = db.execute("select active from staff where id = ?", [owner.staff_id]).fetchone()
        if row is None:
            raise field(f"$.owners[{i}].staff_id", f"no staff member {owner.staff_id!r}")
        if not row[0]:
            raise field(f"$.owners[{i}].staff_id", f"{owner.staff_id} is retired")


def set_period(db, actor: str, zone_id: str, body: OwnersIn) -> bool:
    """Record a period inside the caller's write; False when it was already exactly so."""
    check_day(body.starts, "$.from")
    _check_owners(db, body)
    latest = db.execute(
        "select max(starts) from zone_owner_periods where zone_id = ?", [zone_id]
    ).fetchone()[0]
    if latest is not None and body.starts < latest:
        raise Invalid(
            f"periods are added in date order: the latest starts {latest}; a new one starts on"
            " or after it",
            errors=[{"path": "$.from", "message": f"before the latest period ({latest})"}],
        )
    if _owners_of(db, zone_id, body.starts) == body.owners and latest == body.starts:
        return False
    db.execute("delete from zone_owners where zone_id = ? and starts = ?", [zone_id, body.starts])
    db.execute(
        "insert or ignore into zone_owner_periods (zone_id, starts) values (?, ?)",
        [zone_id, body.starts],
    )
    db.conn.executemany(
        "insert into zone_owners (zone_id, starts, staff_id, share, position)"
        " values (?, ?, ?, ?, ?)",
        [(zone_id, body.starts, o.staff_id, o.share, i) for i, o in enumerate(body.owners)],
    )
    events.append(db, actor, zone_id, OwnersSet(starts=body.starts, owners=body.owners))
    return True


def _owners_of(db, zone_id: str, starts: str) -> list[OwnerShare]:
    rows = db.execute(
        "select staff_id, share from zone_owners where zone_id = ? and starts = ?"
        " order by position",
        [zone_id, starts],
    )
    return [OwnerShare(staff_id=s, share=share) for s, share in rows]


def periods(db, zone_id: str) -> list[Period]:
    """The zone's periods, oldest first, each with its last day."""
    starts = [
        r[0]
        for r in db.execute(
            "select starts from zone_owner_periods where zone_id = ? order by starts", [zone_id]
        )
    ]
    # Each period ends the day before the next one starts; the latest is open.
    ends = [date.fromordinal(date.fromisoformat(s).toordinal() - 1).isoformat() for s in starts[1:]]
    return [
        Period(starts=s, ends=e, owners=_owners_of(db, zone_id, s))
        for s, e in zip(starts, [*ends, None][: len(starts)], strict=True)
    ]


def owners_on(db, zone_id: str, day: str) -> list[OwnerShare]:
    """The zone's owners on a day (ISO date), in the order they were given."""
    row = db.execute(
        "select max(starts) from zone_owner_periods where zone_id = ? and starts <= ?",
        [zone_id, day],
    ).fetchone()
    return [] if row[0] is None else _owners_of(db, zone_id, row[0])


def main_owners(store: Store, day: str) -> dict[str, str]:
    """Per zone, its main owner on a day: the largest share, the first given on a tie."""
    main: dict[str, str] = {}
    rows = store.read().execute(
        "select o.zone_id, o.staff_id from zone_owners o join ("
        "  select zone_id, max(starts) as starts from zone_owner_periods"
        "  where starts <= ? group by zone_id) p"
        " on o.zone_id = p.zone_id and o.starts = p.starts"
        " order by o.zone_id, o.share desc, o.position",
        [day],
    )
    for zone_id, staff_id in rows:
        main.setdefault(zone_id, staff_id)
    return main


def owned_from(db, staff_id: str, day: str) -> list[str]:
    """Zones this staff member owns on `day` or in a period starting after it."""
    rows = db.execute(
        "select distinct o.zone_id from zone_owners o where o.staff_id = ? and ("
        " o.starts > ? or o.starts = (select max(starts) from zone_owner_periods p"
        "  where p.zone_id = o.zone_id and p.starts <= ?)) order by o.zone_id",
        [staff_id, day, day],
    )
    return [r[0] for r in rows]
