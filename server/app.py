"""create_app(settings): the Litestar app serving the API under /api and the PWA at /."""

from __future__ import annotations

import logging

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from server import __version__
from server.api.appraisal import get_appraisal
from server.api.audits import AuditsController
from server.api.catalog import CatalogController
from server.api.health import health
from server.api.photos import PhotoController
from server.api.session import SessionController
from server.api.users import UsersController
from server.auth import PUBLIC, PUBLIC_PATHS, TokenAuthMiddleware
from server.checklists.registry import publish_folder
from server.db import Store
from server.errors import http_exception_handler, internal_error_handler
from server.ratelimit import LoginLimiter
from server.settings import Settings

log = logging.getLogger("genba")


def open_store(settings: Settings) -> Store:
    """The data dir's database, migrated and with every checklist file published."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.photos_dir.mkdir(exist_ok=True)
    store = Store(settings.db_path)
    try:
        publish_folder(store, settings.checklists_dir)
        if settings.demo:
            from server.demo import load_demo

            if load_demo(store) and settings.demo_audits:
                from server.demo_audits import load_demo_audits

                load_demo_audits(store, settings)
    except BaseException:
        store.close()
        raise
    return store


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Genba API",
        version=__version__,
        path="/api/schema",
        render_plugins=[SwaggerRenderPlugin()],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http", scheme="bearer", description="from /api/login"
                )
            }
        ),
        security=[{"bearer": []}],
    )


def create_app(settings: Settings) -> Litestar:
    store = open_store(settings)
    state = State(
        {
            "settings": settings,
            "store": store,
            "login_limiter": LoginLimiter(settings.login_attempts, settings.login_window_seconds),
        }
    )
    route_handlers = [
        SessionController,
        CatalogController,
        UsersController,
        AuditsController,
        get_appraisal,
        PhotoController,
        health,
    ]
    if settings.pwa_dir.is_dir():
        route_handlers.append(
            create_static_files_router(
                path="/",
                directories=[settings.pwa_dir],
                html_mode=True,
                include_in_schema=False,
                opt=PUBLIC,
                # The service worker keeps the offline copy; the browser revalidates the rest,
                # so a new shell (and a new sw.js) is seen on the next visit.
                cache_control=CacheControlHeader(no_cache=True),
            )
        )
    return Litestar(
        route_handlers=route_handlers,
        state=state,
        middleware=[DefineMiddleware(TokenAuthMiddleware, exclude=PUBLIC_PATHS)],
        exception_handlers={
            HTTPException: http_exception_handler,
            Exception: internal_error_handler,
        },
        openapi_config=_openapi(),
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=1024, exclude_opt_key="skip_compression"
        ),
        request_max_body_size=settings.max_body_bytes,
        on_shutdown=[store.close],
    )
