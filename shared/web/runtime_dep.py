"""How a handler reaches its service's runtime: on the app serving the request
(`shared.http.build_app` puts it there), so routers built once per process serve every app
of the service. Re-exported by `shared.http`, which the kernel's own routers cannot import."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.runtime import ServiceRuntime


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]
