"""Who may see and do what. Each rule is written here once, as a yes/no for one thing and as an
SQL filter for lists, so a list never shows what a direct read would refuse.

The policy (design.md, "Access"):
- A user sees a site when they are unrestricted (`site_ids` None) or it is one of theirs.
- Audits: supervisors and admins read every audit of the sites they see; officers read their
  own audits there. An audit's site is always its zone's site.
- What a caller may not read is NotFound, on reads and writes alike, so nobody learns what
  exists elsewhere. Forbidden is only for "you may read it, but you may not do this".
- Only the officer who wrote an audit edits it.
- Reviews are for supervisors and admins, never of their own audit, nor of an audit of a zone
  their linked staff member owns.
- Corrective actions and red tags: whoever sees the zone's site sees them and moves them
  (officers report fixes); only supervisors cancel an action or change its owner or due date,
  and nobody verifies (or reopens) an action they own.
- Photos: a photo is readable by whoever may read an audit that names it, when that audit's
  officer holds the photo: uploaded those very bytes, or could already read the photo through
  an earlier audit when they named it. Naming a hash grants nothing by itself; an audit whose
  officer does not hold a photo it names lists it as missing, exactly as if it did not exist.
"""

from __future__ import annotations

from typing import NamedTuple

from server.core.errors import Forbidden, NotFound
from server.people.owners import owners_on
from server.people.users import User


class Filter(NamedTuple):
    """A WHERE fragment and its parameters; `"1"` when nothing is filtered out."""

    sql: str
    params: list


def _col(alias: str, column: str) -> str:
    return f"{alias}.{column}" if alias else column


# --------------------------------------------------------------------------- sites


def sees_site(user: User, site_id: str | None) -> bool:
    return user.site_ids is None or site_id in user.site_ids


def sites_filter(user: User, column: str = "site_id") -> Filter:
    if user.site_ids is None:
        return Filter("1", [])
    sites = sorted(user.site_ids)
    return Filter(f"{column} in ({','.join('?' * len(sites))})", sites)


# --------------------------------------------------------------------------- audits


def reads_audit(user: User, row: dict) -> bool:
    if not sees_site(user, row["site_id"]):
        return False
    return user.at_least("supervisor") or row["officer_id"] == user.id


def audits_filter(user: User, alias: str = "") -> Filter:
    sql, params = sites_filter(user, _col(alias, "site_id"))
    if not user.at_least("supervisor"):
        sql = f"{sql} and {_col(alias, 'officer_id')} = ?"
        params = [*params, user.id]
    return Filter(sql, params)


def readable_audit(row: dict | None, user: User, audit_id: str) -> dict:
    """The row, or NotFound when there is none or the caller may not read it."""
    if row is None or not reads_audit(user, row):
        raise NotFound(f"no audit {audit_id}")
    return row


def check_edit(user: User, row: dict) -> None:
    """Only the audit's own officer writes new revisions of it."""
    readable_audit(row, user, row["id"])
    if row["officer_id"] != user.id:
        raise Forbidden("only the officer who wrote this audit may change it")


def check_review(user: User, row: dict, zone_owner_ids: set[str]) -> None:
    """Supervisors and admins review, never their own audit or their own zone's."""
    readable_audit(row, user, row["id"])
    if not user.at_least("supervisor"):
        raise Forbidden(f"reviews need the supervisor role; you are {user.role}")
    if row["officer_id"] == user.id:
        raise Forbidden("you wrote this audit: another supervisor reviews it")
    if user.staff_id is not None and user.staff_id in zone_owner_ids:
        raise Forbidden("this audit is of a zone you own (责任人): another supervisor reviews it")


def zone_owner_ids(db, zone_id: str, day: str) -> set[str]:
    """The staff members answerable for a zone (责任人) on the audit's day."""
    return {owner.staff_id for owner in owners_on(db, zone_id, day)}


# --------------------------------------------------------------------------- refused uploads


def refusals_filter(user: User, alias: str = "") -> Filter:
    """Uploads the server refused (the 需关注 screen): those of users who work at one of the
    reader's sites; all of them for a reader of every site."""
    if user.site_ids is None:
        return Filter("1", [])
    sites = sites_filter(user, "us.site_id")
    return Filter(
        "exists (select 1 from user_sites us"
        f" where us.user_id = {_col(alias, 'user_id')} and {sites.sql})",
        sites.params,
    )


# --------------------------------------------------------------------------- actions, red tags


def reads_record(user: User, row: dict) -> bool:
    """Actions and red tags: everyone who sees the zone's site."""
    return sees_site(user, row["site_id"])


def records_filter(user: User, alias: str = "") -> Filter:
    return sites_filter(user, _col(alias, "site_id"))


def check_action_move(user: User, row: dict, status: str, new_owner: str | None) -> None:
    """Moving an action the caller may read to `status` (a move its state allows), with
    `new_owner` as its owner after the move (a supervisor may change both at once)."""
    if status == "cancelled" and not user.at_least("supervisor"):
        raise Forbidden(f"cancelling an action needs the supervisor role; you are {user.role}")
    owners = {row["owner_staff_id"], new_owner} - {None}
    if status in ("verified", "reopened") and user.staff_id in owners:
        raise Forbidden("this action is yours (责任人): another officer or supervisor checks it")


# --------------------------------------------------------------------------- photos


def holds_photo(db, user_id: int, sha: str) -> bool:
    found = db.execute(
        "select 1 from photo_holders where sha256 = ? and user_id = ?", [sha, user_id]
    ).fetchone()
    return found is not None


def granted_photos_sql(audit_alias: str = "a") -> str:
    """A join condition: the audit's officer holds the photo the audit names (alias `ap`)."""
    return (
        "exists (select 1 from photo_holders h where h.sha256 = ap.sha256"
        f" and h.user_id = {audit_alias}.officer_id)"
    )


def reads_photo(db, user: User, sha: str) -> bool:
    if holds_photo(db, user.id, sha):
        return True
    where, params = audits_filter(user, "a")
    found = db.execute(
        "select 1 from audit_photos ap join audits a on a.id = ap.audit_id"
        f" where ap.sha256 = ? and {granted_photos_sql('a')} and {where} limit 1",
        [sha, *params],
    ).fetchone()
    if found is not None:
        return True
    where, params = sites_filter(user, "rp.site_id")
    found = db.execute(
        "select 1 from record_photos rp where rp.sha256 = ? and exists (select 1 from"
        " photo_holders h where h.sha256 = rp.sha256 and h.user_id = rp.named_by)"
        f" and {where} limit 1",
        [sha, *params],
    ).fetchone()
    return found is not None
