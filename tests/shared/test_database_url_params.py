"""Every connection honours all of PINGYI_DATABASE_URL's parameters, not only dbname, host,
port, user and password: the eventsourcing library's datastore takes just those five, and a
URL's `?sslmode=require` (`verify-full` in the k8s example) used to be dropped for the event
stores, which then connected in clear. The server here has no SSL, so `require` must fail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import Environment
from psycopg.conninfo import conninfo_to_dict

from shared.persistence.postgres import connection_params
from shared.settings import CommonSettings, eventsourcing_env

pytestmark = pytest.mark.infra


@pytest.fixture
def plain_url(database_url: str) -> Iterator[str]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("SHOW ssl").fetchone()
        conn.execute("CREATE SCHEMA survey")
    if row is None or row[0] != "off":
        pytest.skip("this PostgreSQL serves SSL: sslmode=require would connect")
    yield database_url


def _factory(url: str) -> PostgresFactory:
    common = CommonSettings(mode="production", database_url=url, database_wait_timeout=1)
    env = Environment("survey", eventsourcing_env(common, "survey", None))
    built = InfrastructureFactory.construct(env)
    assert isinstance(built, PostgresFactory)
    return built


def _open_and_read(url: str) -> Any:
    factory = _factory(url)
    try:
        return factory.application_recorder().max_notification_id()
    finally:
        factory.close()


def test_sslmode_require_refuses_a_server_without_ssl_as_libpq_does(plain_url: str) -> None:
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"{plain_url}?sslmode=require", connect_timeout=5).close()
    with pytest.raises(Exception) as refused:
        _open_and_read(f"{plain_url}?sslmode=require")
    assert "connection" in str(refused.value).lower(), refused.value


@pytest.mark.parametrize("mode", ["disable", "prefer"])
def test_sslmode_that_allows_clear_text_opens_the_event_store(plain_url: str, mode: str) -> None:
    assert _open_and_read(f"{plain_url}?sslmode={mode}") is None  # an empty log


def test_every_parameter_of_the_url_reaches_the_pool_and_its_side_connections() -> None:
    url = (
        "postgresql://app:s3cret@db1:5432,db2:5433/pingyi?sslmode=verify-full"
        "&sslrootcert=/etc/ca.pem&sslcert=/etc/c.pem&sslkey=/etc/k.pem"
        "&options=-c%20statement_timeout%3D5000&target_session_attrs=read-write"
        "&application_name=pingyi"
    )
    factory = _factory(url)
    try:
        # The side connections (the write watchdog's terminator, the relay's LISTEN) use
        # these, as the pool does.
        params = connection_params(factory.datastore)
    finally:
        factory.close()
    expected = conninfo_to_dict(url)
    assert {k: str(v) for k, v in params.items() if k in expected} == expected
    assert params["sslmode"] == "verify-full"
    assert params["host"] == "db1,db2"
    assert params["port"] == "5432,5433"


def test_a_url_without_extra_parameters_adds_none() -> None:
    factory = _factory("postgresql://postgres@127.0.0.1:5432/pingyi")
    try:
        params = connection_params(factory.datastore)
    finally:
        factory.close()
    assert set(params) == {"dbname", "host", "port", "user"}
