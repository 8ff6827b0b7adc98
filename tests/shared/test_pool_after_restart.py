"""An idle event store finds the database again after a restart: the first read after an
immediate restart succeeds within the pool's wait, although every pooled connection broke
(psycopg_pool alone finds them one at a time with a growing back-off, past the wait)."""

from __future__ import annotations

import pytest

from pingyi.composition import open_outbox
from shared.settings import CommonSettings
from tests.pg_instance import PgInstance

pytestmark = pytest.mark.infra


@pytest.mark.parametrize("own_postgres", ["inspection"], indirect=True)
def test_the_first_read_after_a_restart_on_an_idle_pool_succeeds(own_postgres: PgInstance) -> None:
    common = CommonSettings(
        mode="production", database_url=own_postgres.url("pingyi"), database_wait_timeout=3
    )
    outbox = open_outbox("inspection", common)  # a pool of 4, all idle
    try:
        assert outbox.max_position() is None
        own_postgres.stop("immediate")
        own_postgres.start()
        own_postgres.wait_accepting()
        assert outbox.max_position() is None
    finally:
        outbox.close()
