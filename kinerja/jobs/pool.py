"""Spread the items of a job over worker processes, each with its own app, recycled after a few items."""

from __future__ import annotations

import json
import logging
import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from flask import Flask, current_app

from kinerja.database import read_only_transactions
from kinerja.extensions import db

log = logging.getLogger(__name__)

OnResult = Callable[[Any, Any, "str | None"], "bool | None"]
POOL_BROKEN = "Proses pekerja berhenti mendadak."

_worker_app: Flask | None = None


def app_overrides(app: Flask) -> dict:
    """The app's upper-case settings that survive JSON, to rebuild the same configuration in a worker."""
    overrides = {}
    for key, value in app.config.items():
        if key.isupper():
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                continue
            overrides[key] = value
    return overrides


def init_worker(config_name: str, overrides: dict) -> None:
    """Once per worker process: build the app from the parent's settings and keep its context pushed."""
    global _worker_app
    from kinerja import create_app

    _worker_app = create_app(config_name, **overrides)
    _worker_app.app_context().push()


def call(func: Callable[[Any], Any], item: Any, *, own_session: bool = True) -> tuple[Any, str | None]:
    """Run one item; the error travels back as text, since not every exception can be pickled.

    In a worker process each item gets a fresh session; in the caller's process the caller's session is kept
    (its objects stay usable) and only what the failed item left is rolled back.
    """
    try:
        with read_only_transactions():
            return func(item), None
    except Exception as error:
        log.exception("Item %r failed", item)
        db.session.rollback()
        return None, str(error) or type(error).__name__
    finally:
        if own_session:
            db.session.remove()


def map_in_processes(func: Callable[[Any], Any], items: Iterable[Any], *, processes: int, recycle: int,
                     on_result: OnResult) -> None:
    """Run `func(item)` for every item and call `on_result(item, result, error)` in this process as each ends.

    `func` must be a top-level function and items and results picklable. With `processes` > 1 the items go to
    that many spawned processes, each set up once with an app of this app's configuration and replaced after
    `recycle` items so memory cannot grow without bound; otherwise they run here, one by one. `error` is the
    exception's message, or None. When `on_result` returns False the items not yet started are dropped
    (for a job that was cancelled); an exception from `on_result` does the same and propagates.
    Reads in `func` begin deferred on SQLite; end them (commit) before writing.
    """
    items = list(items)
    app = current_app._get_current_object()
    in_memory = db.engine.url.get_backend_name() == "sqlite" and db.engine.url.database in (None, "", ":memory:")
    if processes <= 1 or len(items) <= 1 or in_memory:
        for item in items:
            result, error = call(func, item, own_session=False)
            if on_result(item, result, error) is False:
                return
        return
    pending = list(reversed(items))
    while pending:
        if not run_pool(app, func, pending, processes, recycle, on_result):
            return


def run_pool(app: Flask, func: Callable, pending: list, processes: int, recycle: int, on_result: OnResult) -> bool:
    """Work through `pending` (taken from its end) in one pool; False when on_result asked to stop.

    Returns True with items still pending when the pool broke (a process was killed): the caller starts
    another pool for them, and the items that were running are reported failed.
    """
    executor = ProcessPoolExecutor(
        max_workers=processes, mp_context=multiprocessing.get_context("spawn"), initializer=init_worker,
        initargs=(app.config["ENV_NAME"], app_overrides(app)), max_tasks_per_child=max(int(recycle), 1),
    )
    running: dict[Future, Any] = {}
    broken = False
    try:
        while running or (pending and not broken):
            while pending and not broken and len(running) < processes * 2:
                item = pending.pop()
                try:
                    running[executor.submit(call, func, item)] = item
                except BrokenProcessPool:
                    pending.append(item)
                    broken = True
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                item = running.pop(future)
                try:
                    result, error = future.result()
                except BrokenProcessPool:
                    result, error, broken = None, POOL_BROKEN, True
                if on_result(item, result, error) is False:
                    return False
        return True
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
