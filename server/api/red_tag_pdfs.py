"""The red-tag PDFs of a site: the register (红牌登记表) and the printable numbered tags.

They live under the site (GET /api/sites/{id}/red-tags.pdf and .../red-tags/labels.pdf) but,
unlike the site's set-up routes, are for every signed-in role: whoever sees the site sees its
red tags (server/access.py), and anyone else gets 404.
"""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import FromQuery, PathParameter

from server.api.docs import errors_for
from server.reports.red_tag_labels import labels_pdf
from server.reports.red_tag_register import register_pdf
from server.reports.scorecard import RENDERS

SiteId = Annotated[str, PathParameter(max_length=64)]
Status = FromQuery[Literal["open", "closed"] | None]


def _pdf(pdf: bytes, name: str) -> Response[bytes]:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


class RedTagPdfController(Controller):
    path = "/api/sites"
    tags = ["red tags"]

    @get(
        "/{site_id:str}/red-tags.pdf",
        sync_to_thread=True,
        media_type="application/pdf",
        responses=errors_for(400, 404),
    )
    def register(
        self, request: Request, state: State, site_id: SiteId, status: Status = None
    ) -> Response[bytes]:
        """The site's red-tag register, A4 landscape, oldest tag first: number, zone, item,
        quantity, reason, proposed disposition, tagged, age (over the site's limit marked),
        status, disposition, closed, a thumbnail. `status`: open or closed; none: every tag."""
        with RENDERS:  # shared with the scorecards and boards: two renders at a time
            pdf = register_pdf(state.store, state.settings, request.user, site_id, status)
        return _pdf(pdf, f"red-tags-{site_id}{f'-{status}' if status else ''}.pdf")

    @get(
        "/{site_id:str}/red-tags/labels.pdf",
        sync_to_thread=True,
        media_type="application/pdf",
        responses=errors_for(400, 404),
    )
    def labels(
        self, request: Request, state: State, site_id: SiteId, status: Status = None
    ) -> Response[bytes]:
        """Printable red tags, four per A4 page, each numbered with a QR code opening it on a
        tablet (`<public url>/#/red-tag/<id>`). `status=open` prints the tags still open."""
        settings = state.settings
        base = settings.public_url or str(request.base_url)
        with RENDERS:
            pdf = labels_pdf(state.store, settings, request.user, site_id, status, base)
        return _pdf(pdf, f"red-tag-labels-{site_id}.pdf")
