"""Fixtures of the system tests: every process and server a test starts is stopped by it."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from system_tests.support import PostgresCluster, Processes, RedisServer


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    started = Processes(log_dir)
    try:
        yield started
    finally:
        started.stop_all()
        print(started.logs())  # shown by pytest when the test failed


@pytest.fixture
def redis_server(processes: Processes) -> RedisServer:
    server = RedisServer(processes)
    server.start()
    return server


@pytest.fixture
def postgres_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def email_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "emails"
    folder.mkdir()
    return folder


def database_url(database: dict[str, Any], name: str) -> str:
    """The URL of database ``name`` on the server of a Django DATABASES entry."""
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host, port = database.get("HOST") or "127.0.0.1", database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def shared_server_url() -> str:
    """The suite's PostgreSQL server (DATABASE_URL), at its maintenance database."""
    return database_url(settings.DATABASES["default"], "postgres")


def scratch_name(suffix: str) -> str:
    """A database name derived from the suite's own, so parallel suites never share one."""
    name = str(settings.DATABASES["default"]["NAME"]).removeprefix("test_")
    return f"{name}_{suffix}"
