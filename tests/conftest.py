"""Fixtures: the app on a throwaway database of the chosen kind, a clean slate per test, sign-in helpers.

KINERJA_TEST_DB picks the database: sqlite (default), postgresql or mariadb. The suite creates its own
database on the server and drops it at the end; an unreachable server fails the run.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import insert, literal, select

from kinerja import create_app
from kinerja.extensions import db as _db
from kinerja.extensions import limiter
from kinerja.i18n import compile_catalogs
from kinerja.models import ReferenceStamp
from tests import factories
from tests.throwaway import DatabaseUnreachable, throwaway_database

PASSWORD = factories.PASSWORD
pytest_plugins = ["tests.browser"]


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    kind = os.environ.get("KINERJA_TEST_DB", "sqlite")
    try:
        with throwaway_database(kind) as url:
            yield url
    except DatabaseUnreachable as error:
        pytest.exit(f"Database for the tests is unreachable: {error}", returncode=3)


def pytest_sessionstart(session) -> None:
    """Compile the translation catalogues so the English UI can be tested without `make`."""
    compile_catalogs()


class FreshClient(FlaskClient):
    """A browser whose every request starts with an empty `g`, as in production.

    The `db` fixture keeps one app context pushed for the test, so its requests share `g`, where
    Flask-Login caches the signed-in user, Flask-WTF the CSRF check and Flask-Babel the locale.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory) -> Iterator[Flask]:
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")),
        REPORT_FOLDER=str(tmp_path_factory.mktemp("reports")),
    )
    app.test_client_class = FreshClient
    with app.app_context():
        _db.create_all()
        with _db.engine.begin() as connection:
            add_reference_stamp(connection)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def wipe(app: Flask) -> None:
    """Empty every table, whatever the order of their foreign keys.

    DELETE on every database: PostgreSQL's TRUNCATE gives each table and index new files, 380 ms for the 59 tables
    against 23 ms for DELETE of a test's few rows, and ran after nearly every test (most of the suite's time there).
    Nothing relies on identities starting again at 1 (MariaDB never restarted them). One statement first asks which
    tables hold rows, so only those are emptied (a test writes to a few of the 59 tables): 23 → 15 ms a test on
    PostgreSQL, 20 → 13 ms on MariaDB."""
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as connection:
        filled = connection.execute(select(*(select(literal(1)).select_from(table).exists() for table in tables)))
        for table, has_rows in zip(tables, filled.one(), strict=True):
            if not has_rows:
                continue
            # A tree's rows refer to each other: cut the links before deleting (RESTRICT acts per row).
            for key in table.foreign_keys:
                if key.column.table is table:
                    connection.execute(table.update().values({key.parent.name: None}))
            connection.execute(table.delete())
        add_reference_stamp(connection)


def add_reference_stamp(connection) -> None:
    """The row the migrations insert (kinerja.reference), so pages keep reference data here as in production."""
    connection.execute(insert(ReferenceStamp).values(id=1, stamp=secrets.token_hex(16)))


@pytest.fixture()
def db(app: Flask) -> Iterator:
    """The database inside an app context; emptied after the test."""
    with app.app_context():
        yield _db
        _db.session.remove()
        wipe(app)
    limiter.reset()


# The seed's result while the database holds the demo regency (demo_regency), kept from one module to the next.
seeded_demo: dict[str, object] = {}


@pytest.fixture(scope="module")
def demo_regency(app: Flask, request: pytest.FixtureRequest):
    """The demo regency (`flask seed-demo`), seeded once for the modules of tests that read it and emptied after
    the last of those that follow each other (test_seed*.py). Such a module overrides `db` with `demo_db`, so that
    nothing is emptied between its tests: seeding costs seconds, and the demo's tests are run again at every
    moment of `make test-dates`. The demo's tests only read it (seeding again adds nothing)."""
    from kinerja.demo.commands import seed_demo_command

    if "result" not in seeded_demo:
        with app.app_context():
            result = app.test_cli_runner().invoke(seed_demo_command)
            assert result.exit_code == 0, result.output
            _db.session.remove()
        seeded_demo["result"] = result
    yield seeded_demo["result"]
    limiter.reset()
    if not next_module_reads_the_demo(request):
        with app.app_context():
            _db.session.remove()
            wipe(app)
        seeded_demo.clear()


def next_module_reads_the_demo(request: pytest.FixtureRequest) -> bool:
    """Whether the test run next, after this module's last, is one of a module that reads the demo regency."""
    items = request.session.items
    last = max(index for index, item in enumerate(items) if item.module is request.module)
    return last + 1 < len(items) and "demo_regency" in items[last + 1].fixturenames


@pytest.fixture()
def demo_db(app: Flask, demo_regency) -> Iterator:
    """The database holding the module's demo regency; nothing is emptied after the test."""
    with app.app_context():
        yield _db
        _db.session.remove()


@pytest.fixture()
def client(app: Flask, db) -> FlaskClient:
    return app.test_client()


class AuthActions:
    """Sign in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, identifier: str, password: str = PASSWORD, **kwargs):
        return self.client.post("/masuk", data={"identifier": identifier, "password": password, **kwargs})

    def logout(self):
        return self.client.post("/keluar")


@pytest.fixture()
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture()
def org(db) -> factories.Organisation:
    """A small regency: two agencies, each with a head, an appraiser and staff (see factories.build_org)."""
    return factories.build_org()


@pytest.fixture()
def rq_queue(app, monkeypatch):
    """A queue of its own on the real Redis, with the app set to use RQ; deleted afterwards with its registry."""
    import uuid

    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue
    from rq.registry import StartedJobRegistry

    url = os.environ.get("KINERJA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    connection = Redis.from_url(url, socket_connect_timeout=1)
    try:
        connection.ping()
    except RedisError as error:
        pytest.skip(f"Redis at {url} is unreachable ({error}); set KINERJA_TEST_REDIS_URL")
    queue = Queue(f"kinerja-test-{uuid.uuid4().hex[:8]}", connection=connection)
    monkeypatch.setitem(app.config, "JOB_RUNNER", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "JOB_QUEUE", queue.name)
    yield queue
    connection.delete(StartedJobRegistry(queue=queue).key)
    queue.delete(delete_jobs=True)
    background = Queue(f"{queue.name}-background", connection=connection)
    connection.delete(StartedJobRegistry(queue=background).key)
    background.delete(delete_jobs=True)
