"""What the kernel answers by itself, before or around any service's own words, reads
Chinese first with the English after it unchanged (`中文 (English)`): a path or method no
route serves, a body of another media type or unreadable, a cursor, an unknown query
parameter, a key named twice, a body over its limit, a file that cannot be read, text a
request string refuses, an unavailable database, an unexpected error."""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import Callable, Iterator

import openpyxl
import psycopg
import pytest
from fastapi.testclient import TestClient
from starlette.types import Message

from shared.errors import PingyiError
from shared.persistence.errors import unavailable_reason
from shared.tabular import XLSX, read_rows
from shared.tabular.formats import declared_format
from shared.tabular.limits import too_large as file_too_large
from shared.types import text_problem
from shared.web.body_limit import too_large as body_too_large
from shared.web.pagination import BadCursor
from shared.web.signin import _refuse_cross_site
from tests.conftest import in_memory
from tests.harness import ADMIN, create_app

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def assert_chinese_first(reason: str, english: str) -> None:
    """Chinese before the first parenthesis, then `english` inside the parentheses."""
    chinese, opened, rest = reason.partition(" (")
    assert opened and CHINESE.search(chinese), f"not Chinese first: {reason!r}"
    assert rest.endswith(")") and english in rest, f"{english!r} not after it: {reason!r}"


@pytest.fixture(scope="module")
def registry() -> Iterator[TestClient]:
    app = create_app("registry", in_memory())
    with TestClient(app) as client:
        yield client


def _reason(response: object, status: int) -> str:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    return str(response.json()["detail"][0]["reason"])  # type: ignore[attr-defined]


HTTP_CASES: dict[str, tuple[Callable[[TestClient], object], int, str]] = {
    "no route": (lambda c: c.get("/no-such-path", headers=ADMIN), 404, "Not Found"),
    "wrong method": (lambda c: c.delete("/jurisdictions", headers=ADMIN), 405, "Not Allowed"),
    "a form": (
        lambda c: c.post(
            "/jurisdictions",
            content=b"name=x",
            headers=ADMIN | {"Content-Type": "application/x-www-form-urlencoded"},
        ),
        415,
        "this endpoint reads a JSON body",
    ),
    "not UTF-8": (
        lambda c: c.post(
            "/jurisdictions",
            content=b'{"name": "\xff"}',
            headers=ADMIN | {"Content-Type": "application/json"},
        ),
        422,
        "the body is not JSON this service reads",
    ),
    "bad cursor": (
        lambda c: c.get("/units", params={"cursor": "nonsense"}, headers=ADMIN),
        422,
        "not a cursor this list handed out",
    ),
    "unknown query": (
        lambda c: c.get("/units", params={"sort": "name"}, headers=ADMIN),
        422,
        "not a query parameter of this route",
    ),
    "key twice": (
        lambda c: c.post(
            "/jurisdictions",
            content='{"name": "漯河市", "name": "郑州市", "level": "city"}'.encode(),
            headers=ADMIN | {"Content-Type": "application/json"},
        ),
        422,
        "named more than once in the same object",
    ),
    "no such consumer": (
        lambda c: c.post(
            "/operations/consumers/nobody/registry/skips",
            json={"position": 1, "event_id": "e0", "reason": "运维测试"},
            headers=ADMIN,
        ),
        404,
        "this service has no consumer nobody of registry; it has ",
    ),
}


@pytest.mark.parametrize("case", list(HTTP_CASES))
def test_the_kernels_http_answers_are_chinese_first(registry: TestClient, case: str) -> None:
    call, status, english = HTTP_CASES[case]
    assert_chinese_first(_reason(call(registry), status), english)


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "名单"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FILE_CASES: dict[str, tuple[Callable[[], object], str]] = {
    "neither encoding": (
        lambda: read_rows(b"a,b\n\x80\xff\xfe\n", "text/csv", None, 10),
        "the text is neither UTF-8 nor GB18030",
    ),
    "NUL": (lambda: read_rows(b"a,\x00b\n", "text/csv", None, 10), "contains NUL bytes"),
    "declared charset": (
        lambda: read_rows(b"a,\xff\n", "text/csv", None, 10, encoding="utf-8"),
        "as the Content-Type's charset says",
    ),
    "unsupported charset": (
        lambda: declared_format(b"a,b\n", "text/csv; charset=latin-9"),
        "is not supported: send UTF-8 or GB18030",
    ),
    "not a workbook": (lambda: declared_format(b"a,b\n", XLSX), "the Content-Type says XLSX"),
    "not CSV or XLSX": (lambda: declared_format(b"a,b\n", "image/png"), "send CSV ("),
    "no such sheet": (
        lambda: read_rows(_workbook(), XLSX, "其它", 10),
        "no sheet named '其它'; the workbook has 名单",
    ),
}


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_a_file_that_cannot_be_read_is_refused_chinese_first(case: str) -> None:
    call, english = FILE_CASES[case]
    with pytest.raises(PingyiError) as refused:
        call()
    assert_chinese_first(refused.value.reason, english)


def test_size_limits_are_said_chinese_first() -> None:
    assert_chinese_first(file_too_large(5 * 1024 * 1024).reason, "files are limited to 5 MB")
    assert_chinese_first(body_too_large(1024 * 1024).reason, "over this route's limit of 1 MiB")
    assert_chinese_first(BadCursor().reason, "start again without one")


@pytest.mark.parametrize(
    ("text", "kind", "english"),
    [
        ("一\u2028二", "line", "must be one line (found U+2028 at position 1)"),
        ("a\u202eb", "prose", "bidirectional control characters"),
        ("a\u200bb", "line", "invisible formatting characters"),
        ("a\x07b", "prose", "must not contain control characters (found U+0007 at position 1)"),
        ("a\ud800", "line", "contains an unpaired surrogate at position 1"),
    ],
)
def test_text_a_request_string_refuses_is_said_chinese_first(
    text: str, kind: str, english: str
) -> None:
    problem = text_problem(text, kind)  # type: ignore[arg-type]
    assert problem is not None
    assert_chinese_first(problem, english)


def test_another_sites_sign_in_is_refused_chinese_first() -> None:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(_refuse_cross_site(send))
    reason = json.loads(sent[1]["body"])["detail"][0]["reason"]
    assert_chinese_first(reason, "another site's page cannot sign this browser in or out")


def test_an_unavailable_database_is_said_chinese_first() -> None:
    assert_chinese_first(
        unavailable_reason(psycopg.OperationalError("gone")), "the database is unavailable"
    )
