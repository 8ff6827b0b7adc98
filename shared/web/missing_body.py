"""A required JSON body missing altogether, said as `{}` is: by the fields the caller has to
send.

FastAPI refuses a required body that is not there (no bytes) with one `missing` error at
`("body",)`: `body 必填`, which tells the caller nothing it can act on. The same request with
`{}` names each field the model requires (`body.reason 必填`). The kernel's handler
(`shared.error_handlers`) asks `as_if_empty` for those fields whenever the route's declared
body model (`body_field`) is known, so every route answers both requests alike without a
default of its own; a route that reads its body itself (scoring's `POST /schemes`, JSON or
YAML) asks `empty_errors` of its model. A body that is a list, or a model `{}` satisfies,
keeps FastAPI's `body` error: there is no field to name then. A route whose body is
optional never meets the error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

BODY = ("body",)

Error = Mapping[str, Any]


def as_if_empty(route: object, errors: Sequence[Error]) -> list[Error]:
    """`errors` with a whole missing body replaced by what `{}` would have met."""
    if not any(_missing_body(err) for err in errors):
        return list(errors)
    empty = _errors_of_empty(route)
    if not empty:
        return list(errors)
    found: list[Error] = []
    for err in errors:
        found.extend(empty if _missing_body(err) else [err])
    return found


def _missing_body(err: Error) -> bool:
    return err.get("type") == "missing" and tuple(err.get("loc", ())) == BODY


def _errors_of_empty(route: object) -> list[Error]:
    model = _body_model(route)
    if model is None:
        return []
    return [{**err, "loc": (*BODY, *err["loc"])} for err in empty_errors(model)]


def empty_errors(model: type[BaseModel]) -> list[Error]:
    """What `{}` meets in `model`, each error placed inside the body (no `body` prefix), or
    nothing when `{}` is valid or only the body as a whole is refused."""
    try:
        model.model_validate({})
    except ValidationError as error:
        found = error.errors(include_url=False)
        # Only fields inside the body are news to the caller; an error of the body as a
        # whole (a check of the model's own) is no better than FastAPI's `body 必填`.
        if all(err["loc"] for err in found):
            return [dict(err) for err in found]
    return []


def _body_model(route: object) -> type[BaseModel] | None:
    field = getattr(route, "body_field", None)
    if field is None:
        return None
    return _model(field.field_info.annotation)


def _model(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None
