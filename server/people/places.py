"""Sites, zones and staff: where audits happen and who is answerable for each zone."""

from __future__ import annotations

import json

import msgspec

from server.access import sites_filter
from server.checklists.scoring import ScoreBand
from server.core.db import Store
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
    owner_id: str | None
    checklist_ids: list[str]
    name_en: str | None = None
    site_id: str | None = None
    # Filled for devices by /api/bootstrap: what "last score" and "due" are judged from.
    last_audits: list[LastAudit] = msgspec.field(default_factory=list)


class Site(msgspec.Struct):
    id: str
    name: str
    zones: list[Zone]
    name_en: str | None = None


class Staff(msgspec.Struct):
    id: str
    name: str
    name_en: str | None = None
    site_id: str | None = None
    position: str | None = None


def _zone(row: dict) -> Zone:
    return Zone(
        id=row["id"],
        name=row["name"],
        name_en=row["name_en"],
        kind=row["kind"],
        owner_id=row["owner_id"],
        checklist_ids=json.loads(row["checklist_ids"] or "[]"),
        site_id=row["site_id"],
    )


def sites_for(store: Store, user: User) -> list[Site]:
    db = store.read()
    zones: dict[str, list[Zone]] = {}
    for row in db.query("select * from zones order by site_id, id"):
        zones.setdefault(row["site_id"], []).append(_zone(row))
    visible = sites_filter(user, "id")
    return [
        Site(id=row["id"], name=row["name"], name_en=row["name_en"], zones=zones.get(row["id"], []))
        for row in db.query(f"select * from sites where {visible.sql} order by id", visible.params)
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
    rows = list(store.read().query("select * from zones where id = ?", [zone_id]))
    return _zone(rows[0]) if rows else None
