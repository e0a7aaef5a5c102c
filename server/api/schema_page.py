"""The API schema page at /api/schema: Swagger UI served from this server, nothing from outside.

Litestar's own Swagger plugin loads the UI from a CDN and starts it with an inline script; the
tablets' network may not reach a CDN and the CSP (server/api/hardening.py) allows neither. Here
the UI's files come from the `swagger-ui-bundle-v2` package and a start-up script of ours,
all under /api/schema/assets/.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from litestar import Request
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router

from server.api.auth import PUBLIC

ASSETS = "/api/schema/assets"
OWN_FILES = Path(__file__).parent / "static"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Genba API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<script src="{ASSETS}/swagger-ui-bundle.js" defer></script>
<script src="{ASSETS}/schema-page.js" defer></script>
</head>
<body><div id="swagger" data-spec="/api/schema/openapi.json"></div></body>
</html>
""".encode()


class LocalSwaggerPlugin(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path="/swagger")

    def render(self, request: Request, openapi_schema: dict) -> bytes:
        return PAGE


def schema_assets_router():
    """The UI's files (the package's, then ours), public like the schema itself. Revalidated,
    not no-store like the rest of /api: nothing personal, and the bundle is over 1 MB."""
    return create_static_files_router(
        path=ASSETS,
        directories=[Path(swagger_ui_bundle.swagger_ui_path), OWN_FILES],
        include_in_schema=False,
        opt=PUBLIC,
        cache_control=CacheControlHeader(no_cache=True),
    )
