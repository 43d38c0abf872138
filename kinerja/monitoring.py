"""Optional monitoring, off unless configured (docs/operations.md#monitoring).

- Error reports: SENTRY_DSN set, the Sentry SDK (the `sentry` extra) sends unhandled errors, tagged with the
  request id, to Sentry or a self-hosted GlitchTip. No personal data is sent (send_default_pii off).
- Metrics: METRICS_TOKEN or METRICS_NETWORKS set, /metrics (the `metrics` extra, prometheus_client) serves request
  latency by endpoint, the job queue's depth and oldest queued age, and worker liveness, to a scraper that shows
  the bearer token or comes from one of the networks.

Each extra is imported only when configured; configured without its package, the app refuses to start.
"""

from __future__ import annotations

import hmac
import importlib
import ipaddress
import os
import time

from flask import Flask, abort, g, request
from sqlalchemy import func, select

from kinerja.extensions import db, limiter
from kinerja.logs import request_id


def require_extra(module: str, extra: str, setting: str):
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise RuntimeError(f"{setting} is set but {module} is not installed: pip install \"kinerja[{extra}]\" "
                           f"(or unset {setting}).") from error


def init_app(app: Flask) -> None:
    if app.config.get("SENTRY_DSN"):
        init_sentry(app)
    if app.config.get("METRICS_TOKEN") or app.config.get("METRICS_NETWORKS"):
        init_metrics(app)


def init_sentry(app: Flask) -> None:
    sentry_sdk = require_extra("sentry_sdk", "sentry", "SENTRY_DSN")
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=app.config["SENTRY_DSN"],
        integrations=[FlaskIntegration()],
        environment=app.config.get("SENTRY_ENVIRONMENT") or app.config.get("ENV_NAME"),
        traces_sample_rate=app.config.get("SENTRY_TRACES_SAMPLE_RATE") or 0.0,
    )

    @app.before_request
    def tag_request_id():
        sentry_sdk.get_isolation_scope().set_tag("request_id", request_id())


def allowed_scraper(app: Flask) -> bool:
    token = app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    networks = app.extensions["kinerja_metrics_networks"]
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


def init_metrics(app: Flask) -> None:
    prometheus = require_extra("prometheus_client", "metrics", "METRICS_TOKEN or METRICS_NETWORKS")
    from prometheus_client import CollectorRegistry, Histogram, generate_latest
    from prometheus_client.core import GaugeMetricFamily

    try:
        app.extensions["kinerja_metrics_networks"] = [
            ipaddress.ip_network(network, strict=False) for network in app.config.get("METRICS_NETWORKS") or []]
    except ValueError as error:
        raise RuntimeError(f"METRICS_NETWORKS: {error}") from error
    # Several gunicorn workers: each writes its samples under PROMETHEUS_MULTIPROC_DIR and a scrape adds them up.
    multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
    registry = CollectorRegistry()
    latency = Histogram(
        "kinerja_request_duration_seconds", "Time to answer a request, by endpoint",
        ["endpoint", "method"], registry=None if multiprocess else registry,
        buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    )

    class JobCollector:
        """Read at each scrape from the jobs table (and Redis for RQ): queue depth, oldest age, workers."""

        def collect(self):
            yield from job_metrics(app, GaugeMetricFamily)

    def scrape_registry():
        if not multiprocess:
            return registry
        from prometheus_client import multiprocess as multi

        combined = CollectorRegistry()
        multi.MultiProcessCollector(combined)
        combined.register(JobCollector())
        return combined

    if not multiprocess:
        registry.register(JobCollector())

    @app.before_request
    def start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def observe_latency(response):
        started = g.pop("metrics_started", None)
        if started is not None and request.endpoint != "metrics":
            latency.labels(request.endpoint or "none", request.method).observe(time.perf_counter() - started)
        return response

    @app.route("/metrics")
    @limiter.exempt
    def metrics():
        if not allowed_scraper(app):
            abort(404)  # as if there were no such page
        return generate_latest(scrape_registry()), 200, {"Content-Type": prometheus.CONTENT_TYPE_LATEST}


def job_metrics(app: Flask, gauge):
    from kinerja import clock
    from kinerja.jobs.launcher import local_worker_running, redis_connection, runner_name
    from kinerja.models import Job, JobStatus

    now = clock.utcnow()
    counts = dict(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    oldest_queued = db.session.scalar(select(func.min(Job.created_at)).where(Job.status == JobStatus.QUEUED))
    last_beat = db.session.scalar(select(func.max(Job.heartbeat_at)).where(Job.status == JobStatus.RUNNING))
    db.session.rollback()  # end the read transaction: a scrape holds nothing

    by_status = gauge("kinerja_jobs", "Jobs by status (the jobs table)", labels=["status"])
    for status in JobStatus:
        by_status.add_metric([status.value], counts.get(status, 0))
    yield by_status
    yield gauge("kinerja_jobs_queued", "Jobs waiting for a worker", value=counts.get(JobStatus.QUEUED, 0))
    yield gauge("kinerja_jobs_oldest_queued_age_seconds", "Age of the oldest job still waiting (0: none waits)",
                value=(now - oldest_queued).total_seconds() if oldest_queued else 0)
    yield gauge("kinerja_jobs_running_heartbeat_age_seconds",
                "Seconds since the freshest heartbeat of a running job (0: none runs)",
                value=(now - last_beat).total_seconds() if last_beat else 0)

    runner = runner_name()
    workers = gauge("kinerja_job_workers", "Job workers alive: RQ workers registered in Redis, or 1 while the "
                    "local worker holds its lock (-1: Redis unreachable)", labels=["runner"])
    if runner == "rq":
        from redis.exceptions import RedisError
        from rq import Worker

        try:
            alive = Worker.count(connection=redis_connection())
        except (RedisError, OSError):
            alive = -1
    else:
        alive = int(local_worker_running(app.config["REPORT_FOLDER"]))
    workers.add_metric([runner], alive)
    yield workers
