"""Sites, zones and staff as devices see them: the active ones, each zone with its main owner
(责任人) today. Setting them up is server/people/setup.py; ownership history is owners.py."""

from __future__ import annotations

import json

import msgspec

from server.access import sites_filter
from server.checklists.scoring import ScoreBand
from server.core.db import Store
from server.people.owners import main_owners
from server.people.users import User


class LastAudit(msgspec.Struct):
    """The newest submitted audit of one checklist in a zone, by any officer."""

    checklist_id: str
    status: str
    submitted_at: str | None
    percent: float | None
    band: ScoreBand | None


class Zone(msgspec.Struct):
    id: str
    name: str
    kind: str
    owner_id: str | None  # the main owner today (largest share); see owners.py for all
    checklist_ids: list[str]
    name_en: str | None = None
    site_id: str | None = None
    active: bool = True
    # Filled for devices by /api/bootstrap: what "last score" and "due" are judged from.
    last_audits: list[LastAudit] = msgspec.field(default_factory=list)


class Site(msgspec.Struct):
    id: str
    name: str
    zones: list[Zone]
    name_en: str | None = None
    active: bool = True
    # Days an open red tag may wait for its decision before it stands out.
    red_tag_days: int = 7


class Staff(msgspec.Struct):
    id: str
    name: str
    name_en: str | None = None
    site_id: str | None = None
    position: str | None = None


def _zone(row: dict, owner_id: str | None = None) -> Zone:
    return Zone(
        id=row["id"],
        name=row["name"],
        name_en=row["name_en"],
        kind=row["kind"],
        owner_id=owner_id,
        checklist_ids=json.loads(row["checklist_ids"] or "[]"),
        site_id=row["site_id"],
        active=bool(row["active"]),
    )


def sites_for(store: Store, user: User, today: str) -> list[Site]:
    """The sites the user may see, with their zones and today's main owners.

    Retired sites and zones come too, marked `active: false`: a tablet lists only the active
    ones, but still knows the zone of a draft started before it was retired.
    """
    db = store.read()
    owners = main_owners(store, today)
    zones: dict[str, list[Zone]] = {}
    for row in db.query("select * from zones order by site_id, id"):
        zones.setdefault(row["site_id"], []).append(_zone(row, owners.get(row["id"])))
    visible = sites_filter(user, "id")
    rows = db.query(f"select * from sites where {visible.sql} order by id", visible.params)
    return [
        Site(
            id=row["id"],
            name=row["name"],
            name_en=row["name_en"],
            zones=zones.get(row["id"], []),
            active=bool(row["active"]),
            red_tag_days=row["red_tag_days"],
        )
        for row in rows
    ]


def staff_for(store: Store, user: User) -> list[Staff]:
    visible = sites_filter(user)
    rows = store.read().query(
        f"select * from staff where active = 1 and (site_id is null or {visible.sql}) order by id",
        visible.params,
    )
    return [
        Staff(
            id=r["id"],
            name=r["name"],
            name_en=r["name_en"],
            site_id=r["site_id"],
            position=r["position"],
        )
        for r in rows
    ]


def get_zone(store: Store, zone_id: str) -> Zone | None:
    """A zone, retired or not; its `owner_id` is left empty (owners depend on the day)."""
    rows = list(store.read().query("select * from zones where id = ?", [zone_id]))
    return _zone(rows[0]) if rows else None
