"""Swagger UI and ReDoc served from the installed package, so /docs works on an intranet.

FastAPI's own pages load their scripts and styles from a public CDN and are blank where
that is unreachable (most government networks). The assets come from `fastapi-offline`
(pinned; Swagger UI 5 and ReDoc 2, their licences in that distribution) and are served
under /docs/assets; the pages reference nothing outside this service.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs/assets"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
SWAGGER_PARAMETERS = {"validatorUrl": None}
"""No badge from the public validator (it would send the schema out)."""


def _docs_router() -> APIRouter:
    """/docs, /redoc and their assets, for an app built with `docs_url=None, redoc_url=None`
    (built once per process: each page names the document of the app serving it)."""
    router = APIRouter()
    router.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")

    @router.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        app = request.app
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT}",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )

    @router.get(OAUTH2_REDIRECT, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @router.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        app = request.app
        root = request.scope.get("root_path", "").rstrip("/")
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )

    return router


DOCS_ROUTER = _docs_router()
