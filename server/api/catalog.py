"""What a device caches for a day offline: GET /api/bootstrap and GET /api/checklists/..."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import PathParameter

from server.audits.views import latest_per_zone
from server.checklists.format import Checklist
from server.checklists.kinds import ZoneKind
from server.checklists.registry import get_version, latest_versions
from server.core.clock import today
from server.core.errors import NotFound
from server.people.places import LastAudit, Site, Staff, sites_for, staff_for
from server.records.action_lists import device_actions
from server.records.red_tags import device_tags
from server.records.shapes import ActionView, TagView


class Bootstrap(msgspec.Struct):
    checklists: list[Checklist]
    sites: list[Site]
    staff: list[Staff]
    server_time: str
    # Every kind a zone can be, with its name in both languages (checklists/zone-kinds.yaml).
    zone_kinds: list[ZoneKind] = msgspec.field(default_factory=list)
    # The sites' IANA time zone: what "today", a month and "overdue" are judged in.
    timezone: str = "UTC"
    # What the tablet shows per zone offline: actions not yet closed, open red tags.
    actions: list[ActionView] = msgspec.field(default_factory=list)
    red_tags: list[TagView] = msgspec.field(default_factory=list)


class ChecklistSummary(msgspec.Struct):
    id: str
    version: int
    title: dict


def _etag(bootstrap: Bootstrap) -> str:
    # server_time changes every call; the ETag covers everything a device would cache.
    content = msgspec.json.encode(
        [
            bootstrap.checklists,
            bootstrap.sites,
            bootstrap.staff,
            bootstrap.zone_kinds,
            bootstrap.timezone,
            bootstrap.actions,
            bootstrap.red_tags,
        ]
    )
    return 'W/"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in wanted or etag.removeprefix("W/") in wanted


def _with_last_audits(store, sites: list[Site]) -> list[Site]:
    """Each zone's newest audit per checklist (last three months), so every officer's tablet
    shows the zone's real last score and what is due, whoever did the audit."""
    since = (datetime.now(UTC) - timedelta(days=92)).strftime("%Y-%m")
    latest = latest_per_zone(store, since)
    for site in sites:
        for zone in site.zones:
            zone.last_audits = [LastAudit(**audit) for audit in latest.get(zone.id, [])]
    return sites


class CatalogController(Controller):
    path = "/api"
    tags = ["offline cache"]

    @get("/bootstrap", sync_to_thread=True)
    def bootstrap(self, request: Request, state: State) -> Response[Bootstrap]:
        settings, user = state.settings, request.user
        body = Bootstrap(
            checklists=latest_versions(state.store),
            sites=_with_last_audits(
                state.store, sites_for(state.store, request.user, today(state.settings))
            ),
            staff=staff_for(state.store, request.user),
            server_time=datetime.now(UTC).isoformat(timespec="seconds"),
            zone_kinds=list(state.store.memo["zone_kinds"].values()),
            timezone=settings.timezone,
            actions=device_actions(state.store, user, today(settings)),
            red_tags=device_tags(state.store, user, settings.timezone),
        )
        etag = _etag(body)
        # Staff names and actions: never kept in an HTTP cache; the PWA keeps the ETag itself.
        headers = {"ETag": etag, "Cache-Control": "no-store"}
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(content=b"", status_code=304, headers=headers)
        return Response(content=body, headers=headers)

    @get("/checklists", sync_to_thread=True)
    def list_checklists(self, state: State) -> list[ChecklistSummary]:
        return [
            ChecklistSummary(id=c.id, version=c.version, title=msgspec.to_builtins(c.title))
            for c in latest_versions(state.store)
        ]

    @get("/checklists/{checklist_id:str}/{version:int}", sync_to_thread=True)
    def checklist_version(
        self,
        state: State,
        checklist_id: Annotated[str, PathParameter(max_length=64)],
        version: Annotated[int, PathParameter(ge=1, le=1_000_000)],
    ) -> Response[Checklist]:
        checklist = get_version(state.store, checklist_id, version)
        if checklist is None:
            raise NotFound(f"no checklist {checklist_id!r} version {version}")
        # A published version never changes, so a device may keep it for ever.
        return Response(
            checklist, headers={"Cache-Control": "private, max-age=31536000, immutable"}
        )
