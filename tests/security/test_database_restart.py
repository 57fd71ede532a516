"""After PostgreSQL drops every connection (a restart, a failover), the next request is served: the pool
checks a connection before handing it out instead of failing one request per worker."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.helpers import make_event


def test_the_engine_checks_connections_on_postgresql(app, session):
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    if session.get_bind().dialect.name == "postgresql":
        assert options.get("pool_pre_ping") is True
    else:
        assert "pool_pre_ping" not in options


def test_the_first_request_after_the_database_dropped_its_connections_succeeds(app, client, session,
                                                                              database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to restart")
    slug = make_event(session).slug
    assert client.get(f"/events/{slug}").status_code == 200
    session.close()  # the pool now holds idle connections, as a worker's does between requests

    killer = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with killer.connect() as conn:
        killed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    killer.dispose()
    assert killed >= 1

    assert client.get(f"/events/{slug}").status_code == 200
    assert client.get(f"/events/{slug}/register").status_code == 200
