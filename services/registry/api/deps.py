"""Dependencies every registry router uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.registry.application import RegistryApplication
from services.registry.application.jurisdictions import ListedChildren
from services.registry.application.unit_names import ListedUnits
from services.registry.projections.jurisdiction_names import children_listed_in
from services.registry.projections.unit_names import units_listed_in
from shared.http import application_of
from shared.registry_view import RegistryView


def get_registry_view(request: Request) -> RegistryView:
    view: RegistryView = request.app.state.runtime.registry
    return view


def get_listed_units(request: Request) -> ListedUnits:
    return units_listed_in(request.app.state.runtime.views)


def get_listed_children(request: Request) -> ListedChildren:
    return children_listed_in(request.app.state.runtime.views)


RegistryApp = Annotated[RegistryApplication, Depends(application_of(RegistryApplication))]
RegistryViewDep = Annotated[RegistryView, Depends(get_registry_view)]
ListedUnitsDep = Annotated[ListedUnits, Depends(get_listed_units)]
"""For unit commands: the units the read model lists under a name (see `unit_names`)."""
ListedChildrenDep = Annotated[ListedChildren, Depends(get_listed_children)]
"""For registering a jurisdiction: the children the read model lists under a parent."""
