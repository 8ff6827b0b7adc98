"""The body of `POST /schemes`, as JSON or as YAML (a scheme is a document in either; the
shipped ones are YAML files).

The body is the same object either way, `{document, reason}` (`SchemeIn`), and is held to
the same model with the same errors: 422 `validation_failed` naming each field by its path
in the body (`body.reason`, `body.document`), and the document's own problems
(`scheme_invalid`, `document.components.0.weight`) from the command. A JSON body is read as
FastAPI reads one (its `json_invalid`, its 400 for bytes that are not text). A YAML body is
read by `services.scoring.engine.scheme.yaml_text`: a syntax error, a key given twice, a key
or value JSON cannot hold is 422 `yaml_invalid` naming the path and the line and column.
Any other media type is 415 naming `Content-Type`.

A body that is not there is answered as every route answers one (`shared.web.missing_body`):
as `{}` would be, naming each field `SchemeIn` requires (`body.document`, `body.reason`) —
no bytes (with a JSON or YAML media type, or none), or YAML text that holds no document
(only blank lines and comments). A body that is there but not an object — JSON `null`, a
YAML `null` or `~`, a list — is `body` 须为对象, as FastAPI says it on every other route.

The body's size limit is the route's, enforced while the body streams
(`shared.web.body_limit`), whatever its media type; the Idempotency-Key compares the bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import yaml
from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from services.scoring.domain import ScoringError
from services.scoring.engine.scheme.yaml_text import YamlRefused, read_yaml
from services.scoring.rounds.schemas import SchemeIn
from shared.errors import InvalidError
from shared.reasons import reason_of
from shared.web.missing_body import empty_errors
from shared.web.repeated_keys import BODY, RepeatedKeys, field_of, repeated_keys

JSON = "application/json"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
"""The media types a YAML body may be sent with (RFC 9512 registers the first)."""


class UnsupportedMediaType(ScoringError):
    status_code: ClassVar[int] = 415
    code: ClassVar[str] = "unsupported_media_type"


class YamlInvalid(ScoringError, InvalidError):
    """The YAML text is not a document: what (`detail[].code`), where (the field, and the
    `line` and `column` in `context`), named as request validation names a place in the
    body (`body.…`). A key given twice is said as in a JSON body (`shared.web.repeated_keys`:
    error `duplicate_key`)."""

    code = "yaml_invalid"

    def __init__(self, refused: YamlRefused) -> None:
        repeated = refused.code == RepeatedKeys.code
        super().__init__(refused.reason, field=field_of((*BODY, *refused.path)))
        self.refused = refused
        self.error = refused.code if repeated else self.code

    def body(self) -> dict[str, Any]:
        refused = self.refused
        entry = {"field": self.field, "reason": self.reason, "code": refused.code}
        where = {"line": refused.line, "column": refused.column}
        return {"error": self.error, "detail": [entry | {"context": where}]}


class BodyInvalid(ScoringError, InvalidError):
    """A YAML body that is not a `SchemeIn`: said as a JSON body's validation errors are
    (`shared.error_handlers`), which the shared handler would answer as 415 for a media type other
    than JSON."""

    code = "validation_failed"

    def __init__(self, errors: Sequence[Mapping[str, Any]]) -> None:
        self.errors = [
            {
                "field": ".".join(str(part) for part in ("body", *err.get("loc", ()))),
                "reason": reason_of(err),
                "code": err.get("type"),
                "type": err.get("type"),
            }
            for err in errors
        ]
        super().__init__(str(self.errors[0]["reason"]), field=str(self.errors[0]["field"]))

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "detail": self.errors}


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def scheme_body(request: Request) -> SchemeIn:
    """The request's `SchemeIn`, from a JSON or a YAML body."""
    media = media_type(request)
    raw = await request.body()
    if not raw and not media:  # FastAPI reads a body without a media type as JSON
        media = JSON
    if media in YAML_TYPES:
        return await run_in_threadpool(_from_yaml, raw)
    if media == JSON or (media.startswith("application/") and media.endswith("+json")):
        return _from_json(raw)
    raise UnsupportedMediaType(
        f"请求体须为 JSON ({JSON}) 或 YAML ({', '.join(YAML_TYPES)}), "
        f"现为 {media or '未注明 Content-Type'} "
        f"(send the body as JSON ({JSON}) or as YAML ({', '.join(YAML_TYPES)}), "
        f"not {media or 'without a Content-Type'})",
        field="Content-Type",
    )


def _from_yaml(raw: bytes) -> SchemeIn:
    if _holds_no_document(raw):
        raise BodyInvalid(empty_errors(SchemeIn))
    try:
        data = read_yaml(raw)
    except YamlRefused as refused:
        raise YamlInvalid(refused) from None
    try:
        return _validated(data)
    except ValidationError as error:
        raise BodyInvalid(error.errors()) from None


def _holds_no_document(raw: bytes) -> bool:
    """No bytes, or YAML text that is only blank lines and comments: no body was sent. Text
    that cannot be read is left for `read_yaml` to refuse with its place."""
    try:
        events = yaml.parse(raw.decode("utf-8-sig"), Loader=yaml.SafeLoader)
        return not any(isinstance(event, yaml.DocumentStartEvent) for event in events)
    except (UnicodeDecodeError, yaml.YAMLError):
        return False


def _validated(data: Any) -> SchemeIn:
    # `from_attributes`, as FastAPI validates a body model: what is not an object (`null`, a
    # list) is then said as on every other route (`model_attributes_type`, 须为对象).
    return SchemeIn.model_validate(data, from_attributes=True)


def _from_json(raw: bytes) -> SchemeIn:
    """As FastAPI reads a JSON body model (`fastapi.routing`): the same errors, said the
    same way by the shared handlers."""
    if not raw:
        raise RequestValidationError(
            [{**err, "loc": ("body", *err["loc"])} for err in empty_errors(SchemeIn)]
        )
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", error.pos),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": error.msg},
                }
            ]
        ) from None
    except Exception as error:  # not UTF-8, a number of thousands of digits …
        raise HTTPException(400, "There was an error parsing the body") from error
    # The router's check of every JSON body (it looks only at a declared body model),
    # naming the places as it does: `body.document.…`.
    places = repeated_keys(raw)
    if places:
        raise RepeatedKeys(places, root=BODY)
    try:
        return _validated(data)
    except ValidationError as error:
        errors = [{**err, "loc": ("body", *err["loc"])} for err in error.errors()]
        raise RequestValidationError(errors) from None


def request_body() -> dict[str, Any]:
    """The route's OpenAPI request body: the same object as JSON or as YAML."""
    schema = SchemeIn.model_json_schema()
    yaml_example = (
        "reason: 首次登记本市方案\n"
        "document:\n"
        "  scheme_id: wuyang-minzhu-pingyi\n"
        "  version: 1\n"
        "  title: 舞阳县民主评议\n"
        "  components: …\n"
    )
    return {
        "requestBody": {
            "required": True,
            "description": "`{document, reason}`, as JSON or as YAML (the scheme files under "
            "services/scoring/schemes are YAML: indent one under `document:`). 方案文档可用 "
            "JSON 或 YAML 提交.",
            "content": {
                JSON: {"schema": schema},
                **{media: {"schema": schema, "example": yaml_example} for media in YAML_TYPES},
            },
        }
    }
