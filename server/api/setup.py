"""Setting up a real company over HTTP (admins only): sites, zones and their owners, staff."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter

from server.api.auth import requires
from server.api.docs import errors_for
from server.checklists.kinds import ZoneKind
from server.core.clock import today
from server.people import setup
from server.people.owners import OwnersIn, Period
from server.people.setup import SitePatch, SiteRow, StaffPatch, StaffRow, ZonePatch, ZoneRow
from server.reports.labels import labels_pdf

Id = Annotated[str, PathParameter(max_length=64)]
WRITE_ERRORS = errors_for(400, 403, 404, 409, 422)


class SitesController(Controller):
    path = "/api/sites"
    tags = ["set-up"]
    guards = [requires("admin")]

    @get("/", sync_to_thread=True)
    def list_sites(self, request: Request, state: State) -> list[SiteRow]:
        return setup.listed(state.store, request.user, "sites")

    @post("/", sync_to_thread=True, responses=WRITE_ERRORS)
    def add_site(self, request: Request, state: State, data: JSONBody[SiteRow]) -> SiteRow:
        """Only an admin of every site adds sites."""
        with state.store.write() as db:
            return setup.add_site(db, request.user, data)

    @get(
        "/{site_id:str}/labels.pdf",
        sync_to_thread=True,
        media_type="application/pdf",
        responses=errors_for(404),
    )
    def labels(self, request: Request, state: State, site_id: Id) -> Response[bytes]:
        """A4 sheets of QR labels, one per active zone: scanning one opens its zone."""
        settings = state.settings
        base = settings.public_url or str(request.base_url)
        kinds = state.store.memo["zone_kinds"]
        site, labels = setup.site_labels(
            state.store.read(), request.user, site_id, kinds, today(settings), base
        )
        pdf = labels_pdf(site.name, site.name_en, labels)
        disposition = f'inline; filename="labels-{site_id}.pdf"'
        return Response(
            pdf, media_type="application/pdf", headers={"Content-Disposition": disposition}
        )

    @patch("/{site_id:str}", sync_to_thread=True, responses=WRITE_ERRORS)
    def change_site(
        self, request: Request, state: State, site_id: Id, data: JSONBody[SitePatch]
    ) -> SiteRow:
        """`active: false` retires the site (its zones first)."""
        with state.store.write() as db:
            return setup.change_site(db, request.user, site_id, data)


class ZonesController(Controller):
    path = "/api/zones"
    tags = ["set-up"]
    guards = [requires("admin")]

    @get("/", sync_to_thread=True)
    def list_zones(self, request: Request, state: State) -> list[ZoneRow]:
        return setup.listed(state.store, request.user, "zones")

    @get("/kinds", sync_to_thread=False)
    def kinds(self, state: State) -> list[ZoneKind]:
        """The kinds a zone can be (checklists/zone-kinds.yaml), with their names."""
        return list(state.store.memo["zone_kinds"].values())

    @post("/", sync_to_thread=True, responses=WRITE_ERRORS)
    def add_zone(self, request: Request, state: State, data: JSONBody[ZoneRow]) -> ZoneRow:
        """A checklist not written for the zone's kind is refused."""
        known = setup.catalog(state.store)
        with state.store.write() as db:
            return setup.add_zone(db, request.user, data, known)

    @patch("/{zone_id:str}", sync_to_thread=True, responses=WRITE_ERRORS)
    def change_zone(
        self, request: Request, state: State, zone_id: Id, data: JSONBody[ZonePatch]
    ) -> ZoneRow:
        """Moved to another site, its audits move with it; `active: false` retires it."""
        known = setup.catalog(state.store)
        with state.store.write() as db:
            return setup.change_zone(db, request.user, zone_id, data, known)

    @get("/{zone_id:str}/owners", sync_to_thread=True, responses=errors_for(404))
    def owners(self, request: Request, state: State, zone_id: Id) -> list[Period]:
        """The zone's ownership periods (责任人), oldest first."""
        return setup.zone_periods(state.store.read(), request.user, zone_id)

    @put("/{zone_id:str}/owners", sync_to_thread=True, responses=WRITE_ERRORS)
    def set_owners(
        self, request: Request, state: State, zone_id: Id, data: JSONBody[OwnersIn]
    ) -> list[Period]:
        """From `from` on, these owners with these shares (percents adding up to 100; an empty
        list: no owner). Periods go in date order; the latest one's date corrects it."""
        with state.store.write() as db:
            return setup.set_zone_owners(db, request.user, zone_id, data)


class StaffController(Controller):
    path = "/api/staff"
    tags = ["set-up"]
    guards = [requires("admin")]

    @get("/", sync_to_thread=True)
    def list_staff(self, request: Request, state: State) -> list[StaffRow]:
        return setup.listed(state.store, request.user, "staff")

    @post("/", sync_to_thread=True, responses=WRITE_ERRORS)
    def add_staff(self, request: Request, state: State, data: JSONBody[StaffRow]) -> StaffRow:
        with state.store.write() as db:
            return setup.add_staff(db, request.user, data)

    @patch("/{staff_id:str}", sync_to_thread=True, responses=WRITE_ERRORS)
    def change_staff(
        self, request: Request, state: State, staff_id: Id, data: JSONBody[StaffPatch]
    ) -> StaffRow:
        """`active: false` retires them, once they own no zone today or later."""
        day = today(state.settings)
        with state.store.write() as db:
            return setup.change_staff(db, request.user, staff_id, data, day)
