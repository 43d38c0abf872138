"""Operating the app: request ids on responses, log lines and error pages; log formats; translation catalogues
compiled at start; the optional monitoring extras (Sentry SDK, Prometheus metrics)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from babel.messages.mofile import read_mo

from kinerja import clock, create_app, i18n, logs
from kinerja.models import Job, JobStatus

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture()
def fresh_app(app, db, tmp_path):
    """Build another app on the same test database with some settings changed; the log handler of the
    session's app is put back afterwards."""
    def build(**overrides):
        built = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                           UPLOAD_FOLDER=str(tmp_path / "uploads"), REPORT_FOLDER=str(tmp_path / "reports"),
                           **overrides)
        return built

    yield build
    logs.install_handler(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])


def test_a_request_gets_an_id_returned_in_the_header_and_on_the_404_page(client):
    response = client.get("/tidak-ada-halaman-ini")
    assert response.status_code == 404
    request_id = response.headers["X-Request-ID"]
    assert HEX_ID.fullmatch(request_id)
    page = response.get_data(as_text=True)
    assert "Kode permintaan" in page and f"<code class=\"user-select-all\">{request_id}</code>" in page
    assert client.get("/tidak-ada-halaman-ini").headers["X-Request-ID"] != request_id  # one per request


def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced(client):
    kept = client.get("/masuk", headers={"X-Request-ID": "proxy-7f3a9c01.42"})
    assert kept.headers["X-Request-ID"] == "proxy-7f3a9c01.42"
    for bad in ("short", "<script>alert(1)</script>-----", "a" * 101, "spaces are not ids here", "-leading-dash"):
        replaced = client.get("/masuk", headers={"X-Request-ID": bad})
        assert HEX_ID.fullmatch(replaced.headers["X-Request-ID"]), bad


def test_text_log_lines_carry_the_request_id_and_info_is_no_longer_lost(app, db, capsys):
    with app.test_request_context("/", headers={"X-Request-ID": "quoted-by-user-01"}):
        app.logger.info("Laporan selesai")
    logs_written = capsys.readouterr().err
    assert re.search(r"^\S+ \S+ INFO kinerja \[quoted-by-user-01\] Laporan selesai$", logs_written, re.M), logs_written
    import logging
    logging.getLogger("kinerja.jobs.runner").info("job done")  # the app's modules, outside a request
    assert "INFO kinerja.jobs.runner [-] job done" in capsys.readouterr().err


def test_a_500_in_production_format_logs_json_with_the_id_shown_on_the_page(fresh_app, capsys):
    broken = fresh_app(LOG_FORMAT="json", PROPAGATE_EXCEPTIONS=False)

    @broken.route("/rusak")
    def rusak():
        raise ValueError("the page broke")

    with broken.app_context():
        response = broken.test_client().get("/rusak", headers={"X-Request-ID": "incident-2026-0001"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "incident-2026-0001"
    page = response.get_data(as_text=True)
    assert "Terjadi kesalahan" in page and "incident-2026-0001" in page
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    error = next(line for line in lines if line["level"] == "ERROR")
    assert error["request_id"] == "incident-2026-0001"
    assert error["method"] == "GET" and error["path"] == "/rusak"
    assert error["logger"] == "kinerja"
    assert "ValueError: the page broke" in error["exception"]


def test_the_503_page_shows_the_request_id(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from kinerja.extensions import login_manager

    def unavailable(session_id: str):
        raise OperationalError("SELECT user_account", {}, Exception("connection refused"))

    client.get("/masuk")
    with client.session_transaction() as session:
        session["_user_id"] = "1"
    monkeypatch.setattr(login_manager, "_user_callback", unavailable)
    response = client.get("/", headers={"X-Request-ID": "outage-report-77"})
    assert response.status_code == 503
    assert "outage-report-77" in response.get_data(as_text=True)
    assert response.headers["X-Request-ID"] == "outage-report-77"


def test_bad_log_settings_stop_the_start(fresh_app):
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        fresh_app(LOG_FORMAT="xml")
    with pytest.raises(RuntimeError, match="LOG_LEVEL"):
        fresh_app(LOG_LEVEL="LOUD")


def copy_catalogue(tmp_path):
    target = tmp_path / "translations" / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(i18n.TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po", target / "messages.po")
    return tmp_path / "translations", target


def test_a_missing_catalogue_is_compiled_at_start(app, tmp_path):
    directory, target = copy_catalogue(tmp_path)
    i18n.ensure_catalogs(app, directory)
    with (target / "messages.mo").open("rb") as handle:
        catalog = read_mo(handle)
    assert catalog.get("Beranda").string == "Home"


def test_a_catalogue_that_cannot_be_compiled_stops_the_start_loudly(app, tmp_path):
    directory, target = copy_catalogue(tmp_path)
    (target / "messages.mo").mkdir()  # where the .mo should be written, something that cannot be written to
    os.utime(target / "messages.mo", (0, 0))  # older than the .po
    with pytest.raises(RuntimeError, match=r"messages\.mo .*make translations"):
        i18n.ensure_catalogs(app, directory)


needs_metrics = pytest.mark.skipif(importlib.util.find_spec("prometheus_client") is None,
                                   reason="the metrics extra (prometheus_client) is not installed")
needs_sentry = pytest.mark.skipif(importlib.util.find_spec("sentry_sdk") is None,
                                  reason="the sentry extra (sentry-sdk) is not installed")


def sample(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    assert match, f"{name} not in:\n{text}"
    return float(match.group(1))


def test_without_settings_there_is_no_metrics_page(client):
    assert client.get("/metrics").status_code == 404


@needs_metrics
def test_metrics_need_the_token_and_report_latency_and_the_queue(fresh_app, db):
    metered = fresh_app(METRICS_TOKEN="scrape-secret-123")
    with metered.app_context():
        now = clock.utcnow()
        db.session.add_all([
            Job(id="a" * 32, kind="report", status=JobStatus.QUEUED, created_at=now - timedelta(minutes=5)),
            Job(id="b" * 32, kind="report", status=JobStatus.QUEUED, created_at=now - timedelta(minutes=1)),
            Job(id="c" * 32, kind="report", status=JobStatus.RUNNING, created_at=now - timedelta(minutes=9),
                heartbeat_at=now - timedelta(seconds=20)),
            Job(id="d" * 32, kind="report", status=JobStatus.DONE, created_at=now - timedelta(hours=1)),
        ])
        db.session.commit()
        web = metered.test_client()
        web.get("/masuk")
        web.get("/masuk")
        web.get("/health")
        assert web.get("/metrics").status_code == 404
        assert web.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        response = web.get("/metrics", headers={"Authorization": "Bearer scrape-secret-123"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.get_data(as_text=True)
    assert sample(text, 'kinerja_request_duration_seconds_count{endpoint="auth.login",method="GET"}') == 2
    assert sample(text, 'kinerja_request_duration_seconds_count{endpoint="health",method="GET"}') == 1
    assert 'endpoint="metrics"' not in text  # scrapes are not counted
    assert sample(text, "kinerja_jobs_queued") == 2
    assert 300 <= sample(text, "kinerja_jobs_oldest_queued_age_seconds") < 330
    assert 20 <= sample(text, "kinerja_jobs_running_heartbeat_age_seconds") < 50
    assert sample(text, 'kinerja_jobs{status="running"}') == 1
    assert sample(text, 'kinerja_jobs{status="done"}') == 1
    assert sample(text, 'kinerja_job_workers{runner="none"}') == 0  # tests run no worker


@needs_metrics
def test_metrics_open_to_the_listed_network_only(fresh_app):
    metered = fresh_app(METRICS_NETWORKS=["10.20.0.0/16"])
    with metered.app_context():
        web = metered.test_client()
        assert web.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.3.4"}).status_code == 200
        assert web.get("/metrics", environ_base={"REMOTE_ADDR": "10.21.3.4"}).status_code == 404
        assert web.get("/metrics").status_code == 404  # 127.0.0.1


@needs_metrics
def test_a_bad_metrics_network_stops_the_start(fresh_app):
    with pytest.raises(RuntimeError, match="METRICS_NETWORKS"):
        fresh_app(METRICS_NETWORKS=["10.20.0.0/99"])


class Collector(BaseHTTPRequestHandler):
    """A stand-in for Sentry/GlitchTip's ingest endpoint: keeps what it receives."""

    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            import gzip
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":
            import brotli  # type: ignore[import-not-found]
            body = brotli.decompress(body)
        Collector.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@needs_sentry
def test_sentry_reports_an_unhandled_error_tagged_with_the_request_id(fresh_app):
    import sentry_sdk

    server = HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Collector.received = []
    try:
        reported = fresh_app(SENTRY_DSN=f"http://publickey@127.0.0.1:{server.server_port}/42",
                             PROPAGATE_EXCEPTIONS=False)

        @reported.route("/rusak")
        def rusak():
            raise ValueError("reported to glitchtip")

        with reported.app_context():
            response = reported.test_client().get("/rusak", headers={"X-Request-ID": "sentry-case-0042"})
        assert response.status_code == 500
        sentry_sdk.flush(timeout=5)
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init(dsn=None)
        server.shutdown()
    events = [json.loads(line) for body in Collector.received for line in body.splitlines()
              if line.startswith(b"{") and b'"exception"' in line]
    assert len(events) == 1, Collector.received
    event = events[0]
    assert event["tags"]["request_id"] == "sentry-case-0042"
    assert event["exception"]["values"][-1]["value"] == "reported to glitchtip"
    assert event["environment"] == "testing"
    assert "user" not in event or "ip_address" not in event.get("user", {})  # no personal data
