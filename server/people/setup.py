"""Setting up a real company: sites, zones and staff, created and changed by admins.

Each function works inside the caller's write transaction (`with store.write() as db`), so an
import can apply a whole workbook, or nothing.

Nothing is deleted, only retired (`active: false`), so old audits and appraisals keep their
names. Every create or change records the entity's whole new state in the event log
(`site.save`, `zone.save`, `staff.save`), so `genba verify` can rebuild each row from it.
Which sites an admin may set up is server/access.py's rule.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, NamedTuple

import msgspec
from msgspec import UNSET, Meta, UnsetType

from server import access
from server.checklists.format import Checklist, Ident
from server.checklists.kinds import ZoneKind
from server.checklists.registry import latest_versions
from server.core import events
from server.core.db import Store, insert_row, update_row
from server.core.errors import Conflict, Forbidden, NotFound, field
from server.people.owners import OwnersIn, Period, owned_from, owners_on, periods, set_period
from server.people.users import User

# No control characters (tabs, line breaks, NUL...): names go into labels, PDFs and workbooks.
# Right-to-left marks and the like are letters of a sort here: they print as text, isolated.
PLAIN = r"^[^\x00-\x1f\x7f]*$"
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=PLAIN)]
Optional = Annotated[str, Meta(max_length=200, pattern=PLAIN)] | None


# Days an open red tag may wait for its decision before it stands out (domain: 7).
TagDays = Annotated[int, Meta(ge=1, le=365)]


class SiteRow(msgspec.Struct, forbid_unknown_fields=True):
    id: Ident
    name: Name
    name_en: Optional = None
    active: bool = True
    red_tag_days: TagDays = 7


class ZoneRow(msgspec.Struct, forbid_unknown_fields=True):
    id: Ident
    site_id: Ident
    name: Name
    kind: Ident
    checklist_ids: Annotated[list[Ident], Meta(max_length=50)]
    name_en: Optional = None
    active: bool = True


class StaffRow(msgspec.Struct, forbid_unknown_fields=True):
    id: Ident
    name: Name
    employee_no: Annotated[str, Meta(min_length=1, max_length=64)] | None = None
    name_en: Optional = None
    site_id: Ident | None = None
    position: Optional = None
    active: bool = True


class SitePatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: Name | UnsetType = UNSET
    name_en: Optional | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    red_tag_days: TagDays | UnsetType = UNSET


class ZonePatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    site_id: Ident | UnsetType = UNSET
    name: Name | UnsetType = UNSET
    name_en: Optional | UnsetType = UNSET
    kind: Ident | UnsetType = UNSET
    checklist_ids: Annotated[list[Ident], Meta(max_length=50)] | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class StaffPatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: Name | UnsetType = UNSET
    employee_no: Annotated[str, Meta(min_length=1, max_length=64)] | None | UnsetType = UNSET
    name_en: Optional | UnsetType = UNSET
    site_id: Ident | None | UnsetType = UNSET
    position: Optional | UnsetType = UNSET
    active: bool | UnsetType = UNSET


@events.kind("site.save", "site")
class SiteSaved(events.Event):
    site: SiteRow
    created: bool = False


@events.kind("zone.save", "zone")
class ZoneSaved(events.Event):
    zone: ZoneRow
    created: bool = False


@events.kind("staff.save", "staff")
class StaffSaved(events.Event):
    staff: StaffRow
    created: bool = False


# --------------------------------------------------------------------------- reading


def _site(row: dict) -> SiteRow:
    return SiteRow(
        id=row["id"],
        name=row["name"],
        name_en=row["name_en"],
        active=bool(row["active"]),
        red_tag_days=row.get("red_tag_days") or 7,
    )


def _zone(row: dict) -> ZoneRow:
    return ZoneRow(
        id=row["id"],
        site_id=row["site_id"],
        name=row["name"],
        name_en=row["name_en"],
        kind=row["kind"],
        checklist_ids=json.loads(row["checklist_ids"] or "[]"),
        active=bool(row["active"]),
    )


def _staff(row: dict) -> StaffRow:
    return StaffRow(
        id=row["id"],
        name=row["name"],
        employee_no=row["employee_no"],
        name_en=row["name_en"],
        site_id=row["site_id"],
        position=row["position"],
        active=bool(row["active"]),
    )


READERS = {"sites": _site, "zones": _zone, "staff": _staff}


def listed(store: Store, user: User, table: str) -> list:
    """Every site, zone or staff member the user may set up, retired ones too."""
    column = "id" if table == "sites" else "site_id"
    visible = access.sites_filter(user, column)
    where = visible.sql if table != "staff" else f"(site_id is null or {visible.sql})"
    rows = store.read().query(f"select * from {table} where {where} order by id", visible.params)
    return [READERS[table](row) for row in rows]


def stored(db, table: str, entity_id: str) -> dict | None:
    rows = list(db.query(f"select * from {table} where id = ?", [entity_id]))
    return rows[0] if rows else None


# --------------------------------------------------------------------------- writing


SAVED = {
    "sites": lambda row, created: SiteSaved(site=row, created=created),
    "zones": lambda row, created: ZoneSaved(zone=row, created=created),
    "staff": lambda row, created: StaffSaved(staff=row, created=created),
}


def _save(db, actor: str, table: str, row: msgspec.Struct, created: bool) -> None:
    """Write the row (updated in place: audits point at zones) and log its whole new state."""
    values = msgspec.to_builtins(row)
    values["active"] = int(values["active"])
    if table == "zones":
        values["checklist_ids"] = json.dumps(values["checklist_ids"])
    if created:
        insert_row(db, table, values)
    else:
        update_row(db, table, "id", row.id, {k: v for k, v in values.items() if k != "id"})
    events.append(db, actor, row.id, SAVED[table](row, created))


def _merged(current: msgspec.Struct, patch: msgspec.Struct) -> Any:
    changes = {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not UNSET}
    return msgspec.structs.replace(current, **changes)


def _visible_site(db, user: User, site_id: str | None, path: str, active: bool = True) -> None:
    row = stored(db, "sites", site_id) if site_id else None
    if row is None or not access.sees_site(user, site_id):
        raise field(path, f"no site {site_id!r}")
    if active and not row["active"]:
        raise field(path, f"site {site_id} is retired")


def add_site(db, user: User, site: SiteRow) -> SiteRow:
    if user.site_ids is not None:
        raise Forbidden("only an admin of every site adds sites")
    if stored(db, "sites", site.id):
        raise Conflict(f"a site {site.id!r} exists already")
    _save(db, user.username, "sites", site, created=True)
    return site


def change_site(db, user: User, site_id: str, patch: SitePatch) -> SiteRow:
    row = stored(db, "sites", site_id)
    if row is None or not access.sees_site(user, site_id):
        raise NotFound(f"no site {site_id}")
    site = _merged(_site(row), patch)
    if not site.active and row["active"]:
        active = [
            r[0]
            for r in db.execute(
                "select id from zones where site_id = ? and active = 1 order by id", [site_id]
            )
        ]
        if active:
            raise Conflict(f"retire its zones first: {', '.join(active)}")
    if site != _site(row):
        _save(db, user.username, "sites", site, created=False)
    return site


class Catalog(NamedTuple):
    """What zones are checked against: the kinds, and the newest version of each checklist."""

    kinds: dict[str, ZoneKind]
    checklists: dict[str, Checklist]


def catalog(store: Store) -> Catalog:
    return Catalog(store.memo["zone_kinds"], {c.id: c for c in latest_versions(store)})


def _check_zone(zone: ZoneRow, known: Catalog) -> None:
    if zone.kind not in known.kinds:
        kinds = ", ".join(known.kinds)
        raise field("$.kind", f"unknown zone kind {zone.kind!r}: one of {kinds}")
    for i, checklist_id in enumerate(zone.checklist_ids):
        checklist = known.checklists.get(checklist_id)
        path = f"$.checklist_ids[{i}]"
        if checklist is None:
            raise field(path, f"no checklist {checklist_id!r}")
        if checklist.zone_kinds is not None and zone.kind not in checklist.zone_kinds:
            raise field(path, f"{checklist_id} is not written for {zone.kind} zones")
    if len(set(zone.checklist_ids)) != len(zone.checklist_ids):
        raise field("$.checklist_ids", "a checklist is listed twice")


def add_zone(db, user: User, zone: ZoneRow, known: Catalog) -> ZoneRow:
    _visible_site(db, user, zone.site_id, "$.site_id")
    if stored(db, "zones", zone.id):
        raise Conflict(f"a zone {zone.id!r} exists already")
    _check_zone(zone, known)
    _save(db, user.username, "zones", zone, created=True)
    return zone


def change_zone(db, user: User, zone_id: str, patch: ZonePatch, known: Catalog) -> ZoneRow:
    row = stored(db, "zones", zone_id)
    if row is None or not access.sees_site(user, row["site_id"]):
        raise NotFound(f"no zone {zone_id}")
    zone = _merged(_zone(row), patch)
    if zone.site_id != row["site_id"]:
        _visible_site(db, user, zone.site_id, "$.site_id")
        # An audit's site is always its zone's.
        db.execute("update audits set site_id = ? where zone_id = ?", [zone.site_id, zone_id])
    _check_zone(zone, known)
    if zone != _zone(row):
        _save(db, user.username, "zones", zone, created=False)
    return zone


def _check_staff(db, user: User, staff: StaffRow) -> None:
    if staff.site_id is not None:
        _visible_site(db, user, staff.site_id, "$.site_id", active=False)
    elif user.site_ids is not None:
        raise field("$.site_id", "name one of your sites")
    if staff.employee_no:
        other = db.execute(
            "select id from staff where employee_no = ? and id != ?", [staff.employee_no, staff.id]
        ).fetchone()
        if other:
            message = f"employee_no {staff.employee_no} (工号) is {other[0]}'s already"
            raise Conflict(message, errors=[{"path": "$.employee_no", "message": message}])


def add_staff(db, user: User, staff: StaffRow) -> StaffRow:
    if stored(db, "staff", staff.id):
        raise Conflict(f"a staff member {staff.id!r} exists already")
    _check_staff(db, user, staff)
    _save(db, user.username, "staff", staff, created=True)
    return staff


def change_staff(db, user: User, staff_id: str, patch: StaffPatch, today: str) -> StaffRow:
    row = stored(db, "staff", staff_id)
    if row is None or not (row["site_id"] is None or access.sees_site(user, row["site_id"])):
        raise NotFound(f"no staff member {staff_id}")
    staff = _merged(_staff(row), patch)
    _check_staff(db, user, staff)
    if not staff.active and row["active"]:
        zones = owned_from(db, staff_id, today)
        if zones:
            raise Conflict(f"{staff_id} owns {', '.join(zones)}: give those zones new owners first")
    if staff != _staff(row):
        _save(db, user.username, "staff", staff, created=False)
    return staff


def _zone_row(db, user: User, zone_id: str) -> dict:
    row = stored(db, "zones", zone_id)
    if row is None or not access.sees_site(user, row["site_id"]):
        raise NotFound(f"no zone {zone_id}")
    return row


def set_zone_owners(db, user: User, zone_id: str, body: OwnersIn) -> list[Period]:
    """Start an ownership period of a zone the user may set up; the zone's periods after."""
    _zone_row(db, user, zone_id)
    set_period(db, user.username, zone_id, body)
    return periods(db, zone_id)


def zone_periods(db, user: User, zone_id: str) -> list[Period]:
    _zone_row(db, user, zone_id)
    return periods(db, zone_id)


def site_labels(
    db, user: User, site_id: str, kinds: dict[str, ZoneKind], day: str, base_url: str
) -> tuple[SiteRow, list]:
    """The site and a QR label for each of its active zones."""
    from server.reports.labels import Label

    row = stored(db, "sites", site_id)
    if row is None or not access.sees_site(user, site_id):
        raise NotFound(f"no site {site_id}")
    labels = []
    for zone in db.query(
        "select * from zones where site_id = ? and active = 1 order by id", [site_id]
    ):
        kind = kinds.get(zone["kind"])
        owners = [
            db.execute("select name from staff where id = ?", [o.staff_id]).fetchone()[0]
            for o in owners_on(db, zone["id"], day)
        ]
        labels.append(
            Label(
                zone_id=zone["id"],
                name=zone["name"],
                name_en=zone["name_en"],
                kind_zh=kind.name.zh if kind else zone["kind"],
                kind_en=kind.name.en if kind else zone["kind"],
                owner="、".join(owners),
                url=f"{base_url.rstrip('/')}/#/zone/{zone['id']}",
            )
        )
    return _site(row), labels
