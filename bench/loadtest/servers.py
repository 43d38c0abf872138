"""The processes under test: gunicorn serving the app in production mode and one RQ job worker, on a private
Redis database of the shared server.

The shared Redis belongs to everyone on this machine: the run takes a database number that is empty when it
starts (refusing otherwise), uses its own queue name, and at the end deletes only the keys of that database that
RQ and the rate limiter create (rq:*, LIMITS*). It never flushes anything.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
from redis import Redis

PROJECT_DIR = Path(__file__).resolve().parents[2]
GUNICORN_CONF = PROJECT_DIR / "deploy" / "gunicorn.conf.py"
# The deployment's settings plus each request's CPU time (LOADTEST_CPU_LOG), for the report's CPU by endpoint.
LOADTEST_CONF = Path(__file__).resolve().parent / "gunicorn_cpu.conf.py"
REDIS_SERVER = os.environ.get("LOADTEST_REDIS", "redis://127.0.0.1:6379")
OWN_KEY_PATTERNS = ("rq:*", "LIMITS*")
# Every simulated user signs in from 127.0.0.1; failed sign-ins alone count against the limit, but one budget
# of 30 per address would let a handful of failures lock out the whole test. Per account it stays as shipped.
LOGIN_LIMIT_PER_IP = "100000 per 15 minutes"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def private_redis(database: int) -> Iterator[str]:
    """Yield the URL of Redis database `database` if it is empty; delete what the run left in it afterwards."""
    url = f"{REDIS_SERVER}/{database}"
    client = Redis.from_url(url, socket_connect_timeout=2)
    if client.dbsize():
        raise SystemExit(f"Redis database {database} is not empty: someone else uses it. Pick another with "
                         f"--redis-db.")
    try:
        yield url
    finally:
        for pattern in OWN_KEY_PATTERNS:
            keys = list(client.scan_iter(match=pattern, count=1000))
            for start in range(0, len(keys), 1000):
                client.delete(*keys[start:start + 1000])
        client.close()


def app_environment(database_url: str, redis_url: str, folder: Path) -> dict[str, str]:
    """Production settings over plain http on 127.0.0.1, with everything written under `folder`."""
    return {
        **os.environ,
        "KINERJA_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "SESSION_COOKIE_SECURE": "0",  # plain http locally: a Secure cookie would never be sent back
        "DATABASE_URL": database_url,
        "KINERJA_INSTANCE_PATH": str(folder),
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "REPORT_FOLDER": str(folder / "reports"),
        "PUBLIC_BASE_URL": "http://127.0.0.1",  # production requires it; `serving` adds the port
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "JOB_RUNNER": "rq",
        "JOB_QUEUE": f"kinerja-loadtest-{os.getpid()}",
        "LOGIN_LIMIT_PER_IP": LOGIN_LIMIT_PER_IP,
        "FLASK_APP": "wsgi",
        "LOADTEST_CPU_LOG": str(folder / "cpu.tsv"),
    }


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def migrate(env: dict[str, str], log: Path) -> None:
    """`flask db upgrade`, as a deployment does."""
    with open(log, "ab") as output:
        subprocess.run(flask_command("db", "upgrade"), cwd=PROJECT_DIR, env=env, stdout=output,  # noqa: S603
                       stderr=subprocess.STDOUT, check=True)


def gunicorn_command(port: int) -> list[str]:
    """gunicorn with the deployment's config file, bound to a free local port instead of its address."""
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
    if GUNICORN_CONF.exists():
        return [*command, "--config", str(LOADTEST_CONF), "wsgi:app"]
    # Until deploy/gunicorn.conf.py exists: the usual 2 x cores + 1 sync workers.
    workers = 2 * (os.cpu_count() or 1) + 1
    return [*command, "--workers", str(workers), "--worker-class", "sync", "--timeout", "60",
            "--graceful-timeout", "30", "wsgi:app"]


def wait_until_up(base: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see its log")
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as response:  # noqa: S310 - 127.0.0.1 only
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /health in time")


def stop(process: subprocess.Popen, seconds: float = 30, terms: int = 1) -> None:
    """SIGTERM `terms` times (once: gunicorn's graceful stop; twice: RQ's cold shutdown, which also ends the
    work horse running an export, a process of its own session that a SIGKILL of the worker would orphan),
    then SIGKILL if it lingers."""
    for _ in range(terms):
        if process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=seconds / terms)
        except subprocess.TimeoutExpired:
            continue
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    """CPU time of a process, its live children and the children it has reaped (recycled gunicorn workers,
    finished RQ work horses): what it cost the machine, whatever else ran beside it."""
    try:
        process = psutil.Process(pid)
        own = process.cpu_times()
        total = own.user + own.system + own.children_user + own.children_system
        for child in process.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                times = child.cpu_times()
                total += times.user + times.system
        return total
    except psutil.NoSuchProcess:
        return 0.0


@dataclass
class Served:
    """The running app: its address, gunicorn's log, and the CPU used so far by gunicorn and the job worker."""

    base: str
    server_log: Path
    server_pid: int
    worker_pid: int

    def cpu(self) -> tuple[float, float]:
        return cpu_seconds(self.server_pid), cpu_seconds(self.worker_pid)


@contextmanager
def serving(env: dict[str, str], folder: Path) -> Iterator[Served]:
    """Run gunicorn and one RQ worker; yield how to reach and measure them; stop both afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**env, "PUBLIC_BASE_URL": base}
    server_log, worker_log = folder / "gunicorn.log", folder / "worker.log"
    with open(server_log, "ab") as server_out, open(worker_log, "ab") as worker_out:
        server = subprocess.Popen(gunicorn_command(port), cwd=PROJECT_DIR, env=env,  # noqa: S603
                                  stdout=server_out, stderr=subprocess.STDOUT)
        worker = subprocess.Popen(flask_command("jobs", "worker"), cwd=PROJECT_DIR, env=env,  # noqa: S603
                                  stdout=worker_out, stderr=subprocess.STDOUT)
        try:
            wait_until_up(base, server, 90)
            yield Served(base, server_log, server.pid, worker.pid)
        finally:
            stop(server)
            stop(worker, seconds=20, terms=2)
