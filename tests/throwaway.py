"""Throwaway databases on the local SQLite, PostgreSQL and MariaDB, created for a run and dropped after it."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

SERVERS = {
    "postgresql": ("KINERJA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mariadb": ("KINERJA_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/?charset=utf8mb4"),
}


class DatabaseUnreachable(RuntimeError):
    """The database server named for the tests cannot be reached: fail loudly, never skip."""


def server_url(kind: str) -> str:
    variable, default = SERVERS[kind]
    return os.environ.get(variable, default)


@contextmanager
def throwaway_database(kind: str) -> Iterator[str]:
    """Create an empty database of the kind, yield its URL, and drop it afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kinerja-test-") as folder:
            yield f"sqlite:///{Path(folder) / 'test.db'}"
        return
    if kind not in SERVERS:
        raise ValueError(f"Unknown database kind {kind!r}: use sqlite, postgresql or mariadb")
    name = f"kinerja_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin_url = make_url(server_url(kind))
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if kind == "postgresql":
                connection.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\''))
            else:
                charset = "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                connection.execute(text(f"CREATE DATABASE `{name}` {charset}"))
    except OperationalError as error:
        engine.dispose()
        variable = SERVERS[kind][0]
        raise DatabaseUnreachable(
            f"{kind} at {admin_url.render_as_string(hide_password=True)} cannot be reached ({error.orig}). "
            f"Start the server or point {variable} at one."
        ) from error
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            if kind == "postgresql":
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        engine.dispose()
