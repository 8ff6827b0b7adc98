"""Office pages in a browser: sign in with the key once (a form), read with a cookie
(`shared.web.signin`, `services/reporting/signin.py`). The cookie is the key, checked as the
header is on every request and only for reads; writes still need the header."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode
from uuid import uuid4

import httpx
import pytest
from fastapi.testclient import TestClient

from shared.settings import CommonSettings
from tests.conftest import ADMIN_KEY, in_memory
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import issue_principal, register_jurisdiction

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAME_ORIGIN = {"Accept": BROWSER, "Sec-Fetch-Site": "same-origin"}


def weekly(city: str) -> str:
    return "/bulletins/weekly.html?" + urlencode({"jurisdiction_id": city, "week": "2026-W21"})


def sign_in(
    client: TestClient, key: str, next_path: str = "", base: str = "", **headers: str
) -> httpx.Response:
    """The form's POST, as a browser sends it; the client keeps no cookie of it."""
    answer: httpx.Response = client.post(
        f"{base}/signin",
        content=urlencode({"key": key, "next": next_path}),
        headers=SAME_ORIGIN | {"Content-Type": "application/x-www-form-urlencoded"} | headers,
        follow_redirects=False,
    )
    client.cookies.clear()
    return answer


def cookie_of(answer: httpx.Response) -> str:
    set_cookie: str = answer.headers["set-cookie"]
    return set_cookie.split(";")[0]


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Cluster, str]]:
    with Cluster(in_memory(), ["registry", "reporting"]) as cluster:
        city = register_jurisdiction(cluster["registry"], "漯河市", "city")
        cluster.wait_caught_up("reporting", "registry")
        yield cluster, city


def test_office_reads_its_page_with_the_cookie_until_its_key_is_revoked(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry", "reporting"]) as cluster:
        registry, reporting = cluster["registry"], cluster["reporting"]
        city = register_jurisdiction(registry, "漯河市", "city")
        office = issue_principal(registry, "漯河市评议办", "office", city)
        cluster.wait_caught_up("reporting", "registry")
        page = weekly(city)

        # The page opened without a key says so, and links to the sign-in page.
        refused = reporting.get(page, headers={"Accept": BROWSER})
        assert refused.status_code == 401
        assert f'href="/signin?{urlencode({"next": page})}"' in refused.text

        form = reporting.get(f"/signin?{urlencode({'next': page})}", headers={"Accept": BROWSER})
        assert form.status_code == 200 and '<form id="signin" method="post"' in form.text
        assert f'name="next" value="{page.replace("&", "&amp;")}"' in form.text

        signed = sign_in(reporting, office["api_key"], page)
        assert signed.status_code == 303, signed.text
        assert signed.headers["location"] == page
        cookie = cookie_of(signed)
        assert cookie == f"pingyi_office={office['api_key']}"
        read = reporting.get(page, headers={"Accept": BROWSER, "Cookie": cookie})
        assert read.status_code == 200, read.text
        assert read.headers["content-type"].startswith("text/html")
        assert read.headers["cache-control"] == "private, no-store"
        assert reporting.head(page, headers={"Cookie": cookie}).status_code == 200

        revoked = registry.post(
            f"/principals/{office['principal_id']}/revoke", json={"reason": "调离"}, headers=ADMIN
        )
        assert revoked.status_code == 200, revoked.text
        cluster.wait_caught_up("reporting", "registry")
        gone = reporting.get(page, headers={"Accept": BROWSER, "Cookie": cookie})
        assert gone.status_code == 401
        # The browser is told to forget the key that no longer works.
        assert gone.headers["set-cookie"].startswith("pingyi_office=; Max-Age=0")


def test_the_cookie_has_the_attributes_of_a_session(world: tuple[Cluster, str]) -> None:
    cluster, _ = world
    reporting = cluster["reporting"]
    plain = sign_in(reporting, ADMIN_KEY).headers["set-cookie"]
    parts = plain.split("; ")
    assert parts[0] == f"pingyi_office={ADMIN_KEY}"
    assert {"HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"} <= set(parts)
    assert "Secure" not in parts  # over plain http a browser would drop a Secure cookie
    # Over https (as the trusted proxy reports it), Secure and the __Host- prefix.
    secure = sign_in(reporting, ADMIN_KEY, base="https://testserver")
    parts = secure.headers["set-cookie"].split("; ")
    assert parts[0] == f"__Host-pingyi_office={ADMIN_KEY}"
    assert {"Secure", "HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"} <= set(parts)
    assert not any(part.lower().startswith("domain=") for part in parts)


def test_a_cookie_never_writes(world: tuple[Cluster, str]) -> None:
    cluster, _ = world
    reporting = cluster["reporting"]
    cookie = cookie_of(sign_in(reporting, ADMIN_KEY))
    write = f"/campaigns/{uuid4()}/rounds/1/publications"
    body = {"reason": "按期发布"}
    with_cookie = reporting.post(write, json=body, headers={"Cookie": cookie})
    assert with_cookie.status_code == 401, with_cookie.text
    assert with_cookie.json()["detail"][0]["field"] == "X-API-Key"
    with_header = reporting.post(write, json=body, headers=ADMIN)
    assert with_header.status_code not in (401, 403), with_header.text


def test_the_header_wins_over_the_cookie(world: tuple[Cluster, str]) -> None:
    cluster, city = world
    reporting = cluster["reporting"]
    good = cookie_of(sign_in(reporting, ADMIN_KEY))
    wrong = reporting.get(weekly(city), headers={"Cookie": good, "X-API-Key": "pyk_wrong"})
    assert wrong.status_code == 401
    stale = reporting.get(weekly(city), headers=ADMIN | {"Cookie": "pingyi_office=pyk_stale"})
    assert stale.status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil",
        "http://testserver/bulletins",
        "/\\evil.example",
        "/\t/evil.example",
        "evil",
        "javascript:alert(1)",
    ],
)
def test_no_sign_in_sends_the_browser_elsewhere(world: tuple[Cluster, str], target: str) -> None:
    cluster, _ = world
    answer = sign_in(cluster["reporting"], ADMIN_KEY, target)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/public/pages"
    form = cluster["reporting"].get("/signin", params={"next": target})
    if any(ord(char) < 32 for char in target):
        # Every request string refuses control characters (the kernel's Line), here too.
        assert form.status_code == 422
        assert [d["field"] for d in form.json()["detail"]] == ["query.next"]
        return
    assert 'name="next" value="/public/pages"' in form.text


def test_sign_out_forgets_the_key(world: tuple[Cluster, str]) -> None:
    cluster, _ = world
    answer = cluster["reporting"].post("/signout", headers=SAME_ORIGIN, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin"
    parts = answer.headers["set-cookie"].split("; ")
    assert parts[0] == "pingyi_office=" and "Max-Age=0" in parts and "Path=/" in parts


def test_another_site_cannot_sign_a_browser_in_or_out(world: tuple[Cluster, str]) -> None:
    cluster, _ = world
    reporting = cluster["reporting"]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        forged = reporting.post(
            "/signin",
            content=urlencode({"key": ADMIN_KEY}),
            headers=form | headers,
            follow_redirects=False,
        )
        reporting.cookies.clear()
        assert forged.status_code == 403
        assert "set-cookie" not in forged.headers
        out = reporting.post("/signout", headers=headers, follow_redirects=False)
        assert out.status_code == 403 and "set-cookie" not in out.headers
        assert out.json()["error"] == "cross_site_request"
    # The browser's own form (same origin, or a request with no Origin at all) signs in.
    own = sign_in(reporting, ADMIN_KEY, Origin="http://testserver")
    assert own.status_code == 303
    own = reporting.post(
        "/signin", content=urlencode({"key": ADMIN_KEY}), headers=form, follow_redirects=False
    )
    reporting.cookies.clear()
    assert own.status_code == 303


def test_a_wrong_key_is_refused_in_chinese_and_counted() -> None:
    """The form's failures and the header's share one count per address: past it, every
    keyed request from the address is refused, the form's too."""
    settings = in_memory().model_copy(update={"rate_auth_failures": "3/hour"})
    with Cluster(settings, ["registry", "reporting"]) as cluster:
        reporting = cluster["reporting"]
        assert reporting.get("/positions", headers={"X-API-Key": "pyk_wrong"}).status_code == 401
        for _ in range(2):
            refused = sign_in(reporting, "pyk_wrong", "/public/pages?limit=5")
            assert refused.status_code == 401
            text = refused.text
            assert '<html lang="zh-CN">' in text and "密钥无效、已被吊销或未填写" in text
            assert '<form id="signin"' in text
            assert 'name="next" value="/public/pages?limit=5"' in text
        assert reporting.get("/positions", headers=ADMIN).status_code == 429
        limited = sign_in(reporting, ADMIN_KEY)
        assert limited.status_code == 429
        assert "请求过于频繁" in limited.text
