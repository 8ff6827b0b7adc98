"""A push of questionnaires (推送问卷). A batch is validated row by row: one bad row is
reported with its row number and does not sink the others (unless `all_or_nothing`).

A batch is read from its JSON in one native pass (`BatchIn.from_json_body`,
`shared.web.json_body`): every row that is a questionnaire validated as it is read, the
others kept as sent, to be reported as they always were. Only a body wrong as a whole (not
JSON, a row that is no object, no rows...) or one that pydantic's JSON parser alone refuses
(a lone surrogate) is read the ordinary way, as it always was."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, Field, TypeAdapter, ValidationError, WithJsonSchema

from services.survey.domain.errors import RepeatedKey
from services.survey.schemas.batch_rows import QUESTIONNAIRE as QUESTIONNAIRE
from services.survey.schemas.batch_rows import Rows as Rows
from services.survey.schemas.batch_rows import clip, parse_apart, parse_row
from services.survey.schemas.batch_rows import parse_rows as parse_rows
from services.survey.schemas.questionnaires import MAX_BATCH, Answer, QuestionnaireIn, UnitKey
from services.survey.schemas.repeated_keys import (
    REPEATED,
    Place,
    distinct_keys,
    field_of,
    keys_at_most,
    refuse_repeated,
    repeated_keys,
)
from services.survey.schemas.waves import In
from shared.types import JsonBool, Line

Repeats = dict[int, list[Place]]
"""The places of the keys each row (by index) names twice."""
ROWS = "questionnaires"


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its `$defs` inlined, to document a field that is
    validated later, row by row."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


QuestionnaireRow = Annotated[dict[str, Any], WithJsonSchema(inline_schema(QuestionnaireIn))]
"""A questionnaire as sent: documented as `QuestionnaireIn`, validated on its own so that one
bad row is reported by number instead of refusing the batch."""


class BatchIn(In):
    """推送问卷. Up to 10,000 questionnaires; each is checked on its own."""

    questionnaires: list[QuestionnaireRow] = Field(min_length=1, max_length=MAX_BATCH)
    all_or_nothing: JsonBool = Field(
        default=False, description="Refuse the whole batch (422) if any row has a problem"
    )

    reads_repeated_keys: ClassVar[bool] = True
    """The route reads the body's repeated keys itself (`repeated`): counted first, and
    reported by row, as any other problem of a row; not refused with the whole body as
    every other survey body's are (`api.deps.refuse_repeated_keys`)."""

    def rows(self, repeated: Repeats | None = None) -> Rows:
        """The rows, those in `repeated` (by index) refused: their repeated keys reported,
        and what the rest of them says (`repeated_row`)."""
        repeated = repeated or {}
        kept = [(i, q) for i, q in enumerate(self.questionnaires) if i not in repeated]
        found = parse_rows([q for _, q in kept], ROWS, [i for i, _ in kept])
        for index, places in repeated.items():
            self.repeated_row(index, places, found)
        found.problems.sort(key=lambda problem: problem["row"])
        return found

    def repeated(self, raw: bytes) -> Repeats:
        """The keys the body (`raw`, what this was read from) names twice, by row; 422
        `duplicate_key` for one outside the rows. Read from the bytes once more, except
        where the body's objects hold as many keys as its bytes can name
        (`repeated_keys.keys_at_most`): then none was named twice."""
        counted = self.keys_held()
        if counted is not None and counted == keys_at_most(raw):
            return {}
        by_row: Repeats = {}
        outside: list[Place] = []
        for place in repeated_keys(raw):
            if len(place) > 2 and place[0] == ROWS and isinstance(place[1], int):
                by_row.setdefault(place[1], []).append(place)
            else:
                outside.append(place)
        refuse_repeated(outside)
        return by_row

    def keys_held(self) -> int | None:
        """How many keys this holds between its objects, or fewer (never more: an undercount
        only costs reading the bytes again); None: not counted. A body read the ordinary way
        (rarely: `from_json_body`) is always read again."""
        return None

    def repeated_row(self, index: int, places: list[Place], found: Rows) -> None:
        """A row that names keys twice: each place reported, then the row read as JSON
        keeps it (the last value of each key) with those keys left out, so that the rest of
        it is judged as a row that fails the model is (`parse_apart`)."""
        found.problems.extend(self._repeated_problems({index: places}))
        q = self.questionnaires[index]
        item = q.model_dump(mode="json", exclude_unset=True) if isinstance(q, BaseModel) else q
        if isinstance(item, dict):
            parse_apart(index, item, [place[2:] for place in places], ROWS, found)

    def _repeated_problems(self, repeated: Repeats) -> list[dict[str, Any]]:
        problems: list[dict[str, Any]] = []
        for index, places in repeated.items():
            q = self.questionnaires[index]
            qid = clip(q.get("questionnaire_id") if isinstance(q, dict) else q.questionnaire_id)
            problems += [
                {
                    "row": index,
                    "questionnaire_id": qid,
                    "field": clip(field_of(place)),  # a key may be of any length
                    "reason": REPEATED,
                    "code": RepeatedKey.code,
                }
                for place in places
            ]
        return problems

    @classmethod
    def from_json_body(cls, raw: bytes) -> BatchIn | None:
        """The batch read straight from its JSON; None when the body is wrong as a whole,
        and it is then read the ordinary way."""
        try:
            return JsonBatchIn.model_validate_json(raw)
        except ValidationError:
            return None


V = TypeVar("V")
_CANONICAL_UNIT_KEYS: set[str] = set()
_KEYS_KEPT = 20_000
"""Ten waves of the largest size a row allows (2,000 units); past it the memo starts over."""
_UNIT_KEYS = TypeAdapter(dict[UnitKey, Any])


def _unit_keys(values: dict[str, V]) -> dict[str, V]:
    """`values` with its keys checked (and lowercased) as `UnitKey`s are. A wave's unit ids
    recur in every questionnaire, so the ids seen before in canonical form pass with one set
    comparison at C speed, instead of a pattern match and a lowercased copy per key (a third
    of a batch's reading)."""
    if _CANONICAL_UNIT_KEYS.issuperset(values):
        return values
    try:
        checked: dict[str, V] = _UNIT_KEYS.validate_python(values)
    except ValidationError:
        raise ValueError("not a unit id") from None  # the row is kept as sent, and reported
    if len(_CANONICAL_UNIT_KEYS) > _KEYS_KEPT:
        _CANONICAL_UNIT_KEYS.clear()
    # A key that is its own checked form is canonical; an uppercase one is not.
    _CANONICAL_UNIT_KEYS.update(key for key in values if key in checked)
    return checked


class JsonQuestionnaireIn(QuestionnaireIn):
    """`QuestionnaireIn` as a batch's JSON is read: the same fields, rules and values, with
    its unit ids checked a dict at a time."""

    ratings: Annotated[dict[str, Answer], AfterValidator(_unit_keys)] = Field(default_factory=dict)
    dimension_ratings: Annotated[dict[str, dict[Line, Answer]], AfterValidator(_unit_keys)] = Field(
        default_factory=dict
    )


ReadRow = Annotated[JsonQuestionnaireIn | QuestionnaireRow, Field(union_mode="left_to_right")]
"""A questionnaire, or else the row as sent (what `BatchIn` would have kept of it)."""


class JsonBatchIn(BatchIn):
    """A batch read from its JSON at once. A `BatchIn`, so FastAPI takes it as the body as it
    is."""

    # Rows validated as they were read stand where `BatchIn` keeps every row as sent.
    questionnaires: list[ReadRow] = Field(  # type: ignore[assignment]
        min_length=1, max_length=MAX_BATCH
    )

    def rows(self, repeated: Repeats | None = None) -> Rows:
        found = Rows([], [], [])
        for index, q in enumerate(self.questionnaires):
            if repeated and index in repeated:
                self.repeated_row(index, repeated[index], found)
            elif isinstance(q, JsonQuestionnaireIn):
                found.good.append((index, q.command()))
            else:
                parse_row(index, q, ROWS, found)
        return found

    def keys_held(self) -> int | None:
        found = len(self.model_fields_set)
        for q in self.questionnaires:
            if isinstance(q, JsonQuestionnaireIn):
                found += len(q.model_fields_set) + len(q.ratings)
                dimensions = q.dimension_ratings
                if dimensions:
                    found += len(dimensions) + sum(map(len, dimensions.values()))
                for opinion in q.opinions:
                    found += len(opinion.model_fields_set)
            else:
                found += _keys_in(q)
        return found


def _keys_in(value: Any) -> int:
    """The keys of the objects in a value parsed from JSON (a row kept as sent), each unit
    id once however it is written (as `repeated_keys` reads them)."""
    found = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found += distinct_keys(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
