"""gunicorn settings for the load test: the deployment's own (deploy/gunicorn.conf.py), plus the CPU time each
request took in its worker, written to LOADTEST_CPU_LOG as "METHOD<TAB>PATH<TAB>milliseconds" lines so the
report can give gunicorn's CPU per request by endpoint. Sync workers serve one request at a time, so the
worker process's CPU time across a request is that request's."""

from __future__ import annotations

import os
import time
from pathlib import Path

DEPLOY_CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
# The deployment's settings, as gunicorn itself would read them (a config file is Python run for its names).
exec(compile(DEPLOY_CONF.read_text("utf-8"), str(DEPLOY_CONF), "exec"))  # noqa: S102

CPU_LOG = os.environ.get("LOADTEST_CPU_LOG", "")


def pre_request(worker, req) -> None:
    worker.loadtest_cpu_started = time.process_time()


def post_request(worker, req, environ, resp) -> None:
    started = getattr(worker, "loadtest_cpu_started", None)
    if not CPU_LOG or started is None:
        return
    used_ms = (time.process_time() - started) * 1000
    with open(CPU_LOG, "a", encoding="utf-8") as log:  # O_APPEND: whole short lines from every worker
        log.write(f"{req.method}\t{req.path}\t{used_ms:.3f}\n")
