"""create_app(settings): the Litestar app serving the API under /api and the PWA at /."""

from __future__ import annotations

import logging
from pathlib import Path

from litestar import Litestar, head
from litestar.config.compression import CompressionConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import File
from litestar.static_files import create_static_files_router

from server import __version__
from server.api.appraisal import get_appraisal, get_statement, post_close
from server.api.attention import get_attention
from server.api.audits import AuditsController
from server.api.auth import PUBLIC, PUBLIC_PATHS, TokenAuthMiddleware
from server.api.catalog import CatalogController
from server.api.errors import EXCEPTION_HANDLERS, GenbaRequest
from server.api.hardening import add_security_headers
from server.api.health import health
from server.api.importing import ImportController
from server.api.photos import PhotoController
from server.api.records import ActionsController, RedTagsController
from server.api.red_tag_pdfs import RedTagPdfController
from server.api.reports import BoardController, ReportsController
from server.api.request_log import RequestLog
from server.api.schema_page import LocalSwaggerPlugin, schema_assets_router
from server.api.session import SessionController
from server.api.setup import SitesController, StaffController, ZonesController
from server.api.users import UsersController
from server.appraisal.rules import load_rules
from server.audits.intake import fill_missing_days, fill_missing_tallies
from server.checklists.kinds import load_kinds
from server.checklists.registry import latest_versions, publish_folder
from server.core.db import Store
from server.core.settings import Settings
from server.people.login_limiter import LoginLimiter
from server.people.users import Passwords

log = logging.getLogger("genba")


def open_store(settings: Settings, passwords: Passwords | None = None) -> Store:
    """The data dir's database, migrated and with every checklist file published; the zone
    kinds and the appraisal's rules loaded (store.memo["zone_kinds"], ["appraisal_rules"])."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.photos_dir.mkdir(exist_ok=True)
    store = Store(settings.db_path)
    try:
        publish_folder(store, settings.checklists_dir)
        store.memo["zone_kinds"] = load_kinds(settings.checklists_dir)
        store.memo["appraisal_rules"] = load_rules(settings.checklists_dir, latest_versions(store))
        fill_missing_days(store, settings.timezone)
        fill_missing_tallies(store)
        if settings.demo:
            from server.ops.demo import load_demo

            passwords = passwords or Passwords(settings.password_cost)
            if load_demo(store, passwords) and settings.demo_audits:
                from server.ops.demo_audits import load_demo_audits
                from server.ops.demo_records import load_demo_records

                load_demo_audits(store, settings)
                load_demo_records(store, settings)
    except BaseException:
        store.close()
        raise
    return store


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Genba API",
        version=__version__,
        path="/api/schema",
        render_plugins=[LocalSwaggerPlugin()],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http", scheme="bearer", description="from /api/login"
                )
            }
        ),
        security=[{"bearer": []}],
    )


# The service worker keeps the offline copy; the browser revalidates the rest, so a new shell
# (and a new sw.js) is seen on the next visit.
SHELL_CACHE = CacheControlHeader(no_cache=True)


def pwa_routes(pwa_dir: Path) -> list:
    """The PWA's files at /, and HEAD / (which Litestar's html_mode answers with 405): uptime
    monitors and load balancers ask HEAD / to see that the site is up."""

    # Uncompressed, like GET /index.html: the length HEAD gives is the file's.
    @head("/", include_in_schema=False, opt={**PUBLIC, "skip_compression": True})
    async def shell_head() -> File:
        return File(
            pwa_dir / "index.html",
            media_type="text/html",
            filename="index.html",
            content_disposition_type="inline",
            headers={"Cache-Control": SHELL_CACHE.to_header()},
        )

    files = create_static_files_router(
        path="/",
        directories=[pwa_dir],
        html_mode=True,
        include_in_schema=False,
        opt=PUBLIC,
        cache_control=SHELL_CACHE,
    )
    return [files, shell_head]


def create_app(settings: Settings) -> Litestar:
    passwords = Passwords(settings.password_cost)
    store = open_store(settings, passwords)
    state = State(
        {
            "settings": settings,
            "store": store,
            "passwords": passwords,
            "login_limiter": LoginLimiter(
                free=settings.login_free_attempts,
                first_delay=settings.login_first_delay_seconds,
                max_delay=settings.login_max_delay_seconds,
            ),
        }
    )
    route_handlers = [
        SessionController,
        CatalogController,
        UsersController,
        SitesController,
        ZonesController,
        StaffController,
        ImportController,
        ReportsController,
        BoardController,
        AuditsController,
        ActionsController,
        RedTagsController,
        RedTagPdfController,
        get_appraisal,
        post_close,
        get_statement,
        PhotoController,
        health,
        get_attention,
        schema_assets_router(),
    ]
    if settings.pwa_dir.is_dir():
        route_handlers += pwa_routes(settings.pwa_dir)
    app = Litestar(
        route_handlers=route_handlers,
        state=state,
        middleware=[DefineMiddleware(TokenAuthMiddleware, exclude=PUBLIC_PATHS)],
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[add_security_headers],
        request_class=GenbaRequest,
        openapi_config=_openapi(),
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=1024, exclude_opt_key="skip_compression"
        ),
        request_max_body_size=settings.max_body_bytes,
        on_shutdown=[store.close],
    )
    # The request log around the whole app, not in `middleware` (which runs only for requests
    # that match a route): it sees every answer, the router's own 404s and 405s included.
    app.asgi_handler = RequestLog(app.asgi_handler)
    return app
