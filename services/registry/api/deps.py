"""Dependencies every registry router uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.registry.application import RegistryApplication
from shared.http import application_of
from shared.registry_view import RegistryView


def get_registry_view(request: Request) -> RegistryView:
    view: RegistryView = request.app.state.runtime.registry
    return view


RegistryApp = Annotated[RegistryApplication, Depends(application_of(RegistryApplication))]
RegistryViewDep = Annotated[RegistryView, Depends(get_registry_view)]
