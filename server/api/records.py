"""Corrective actions and red tags over HTTP (docs/actions.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Request, Response, get, put
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter

from server.api.docs import errors_for
from server.api.ids import canonical_uuid
from server.core.clock import today
from server.records import action_lists, actions, red_tags
from server.records.shapes import (
    ActionIn,
    ActionPage,
    ActionView,
    OwnerLoads,
    TagIn,
    TagPage,
    TagView,
)

RecordId = Annotated[
    str,
    PathParameter(max_length=64, description="a UUID", schema_extra={"format": "uuid"}),
]
Filter = Annotated[str | None, QueryParameter(max_length=64)]
PageCursor = Annotated[str | None, QueryParameter(pattern=r"^[A-Za-z0-9_-]{1,96}\.\d{1,18}$")]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]


class ActionsController(Controller):
    path = "/api/actions"
    tags = ["corrective actions"]

    @get("/", sync_to_thread=True, responses=errors_for(400))
    def list_actions(
        self,
        request: Request,
        state: State,
        site_id: Filter = None,
        zone_id: Filter = None,
        owner: Filter = None,
        status: Annotated[list[str] | None, QueryParameter(max_items=6)] = None,
        overdue: FromQuery[bool] = False,
        cursor: PageCursor = None,
        limit: Limit = 50,
    ) -> ActionPage:
        """Newest first. `status` may repeat, or be `active` (open, reopened, done);
        `overdue=true`: open or reopened and past due."""
        filters = {
            "site_id": site_id,
            "zone_id": zone_id,
            "owner": owner,
            "status": status,
            "overdue": overdue,
        }
        return action_lists.list_actions(
            state.store, request.user, filters, cursor, limit, today(state.settings)
        )

    @get("/owners", sync_to_thread=True, responses=errors_for(400))
    def owners(self, request: Request, state: State, site_id: Filter = None) -> OwnerLoads:
        """Per owner (责任人), the actions not yet closed: open, overdue, done awaiting a check."""
        return action_lists.owner_loads(state.store, request.user, site_id, today(state.settings))

    @get("/{action_id:str}", sync_to_thread=True, responses=errors_for(400, 404))
    def get_action(self, request: Request, state: State, action_id: RecordId) -> ActionView:
        aid = canonical_uuid(action_id, "action")
        return actions.get_action(state.store, request.user, aid, today(state.settings))

    @put(
        "/{action_id:str}",
        sync_to_thread=True,
        status_code=200,
        responses=errors_for(400, 403, 404, 409, 422),
    )
    def put_action(
        self, request: Request, state: State, action_id: RecordId, data: JSONBody[ActionIn]
    ) -> ActionView:
        """Move an action (done with an after photo and a note; verified or reopened by someone
        who does not own it); a replay answers the stored revision."""
        aid = canonical_uuid(action_id, "action")
        return actions.put_action(state.store, request.user, aid, data, today(state.settings))


class RedTagsController(Controller):
    path = "/api/red-tags"
    tags = ["red tags"]

    @get("/", sync_to_thread=True, responses=errors_for(400))
    def list_tags(
        self,
        request: Request,
        state: State,
        site_id: Filter = None,
        zone_id: Filter = None,
        status: FromQuery[Literal["open", "closed"] | None] = None,
        over_limit: FromQuery[bool] = False,
        cursor: PageCursor = None,
        limit: Limit = 50,
    ) -> TagPage:
        """Oldest first, the register's order; `age_days` and `over_limit` by the server."""
        filters = {
            "site_id": site_id,
            "zone_id": zone_id,
            "status": status,
            "over_limit": over_limit,
        }
        return red_tags.list_tags(
            state.store, request.user, filters, cursor, limit, state.settings.timezone
        )

    @get("/{tag_id:str}", sync_to_thread=True, responses=errors_for(400, 404))
    def get_tag(self, request: Request, state: State, tag_id: RecordId) -> TagView:
        tid = canonical_uuid(tag_id, "red tag")
        return red_tags.get_tag(state.store, request.user, tid, state.settings.timezone)

    @put(
        "/{tag_id:str}",
        sync_to_thread=True,
        status_code=200,
        responses={
            201: ResponseSpec(
                data_container=TagView,
                description="a new tag, numbered for its site",
                generate_examples=False,
            ),
            **errors_for(400, 404, 409, 422),
        },
    )
    def put_tag(
        self, request: Request, state: State, tag_id: RecordId, data: JSONBody[TagIn]
    ) -> Response[TagView]:
        """A new tag (201, numbered per site) or a new revision or a replay (200)."""
        tid = canonical_uuid(tag_id, "red tag")
        created, view = red_tags.put_tag(
            state.store, request.user, tid, data, state.settings.timezone
        )
        return Response(view, status_code=201 if created else 200)
