"""Private servers and app processes for the fault drills.

The drills stop and start PostgreSQL and Redis, so they never touch the shared ones: each run initialises its own
PostgreSQL cluster and Redis in a temporary folder on free ports, runs gunicorn and the job worker against them,
and removes everything when it ends, also when it fails (`Stack` is a context manager undoing every step).
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack, suppress
from pathlib import Path

from kinerja import clock

PROJECT_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = PROJECT_DIR / ".venv" / "bin"
STOP_TIMEOUT = 20.0


class DrillError(RuntimeError):
    """A drill could not set up its world (as opposed to the app failing the drill)."""


def free_port(preferred: int) -> int:
    """The preferred port when nothing listens on it, else any free one."""
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise DrillError("no free TCP port")


def wait_until(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> float:
    """Poll until `check()` is true; returns the seconds it took, raises DrillError after `timeout`."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise DrillError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
    return time.monotonic() - started


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def postgres_bin(name: str) -> str:
    """A PostgreSQL server binary (initdb, pg_ctl), newest installed version first."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True) or [shutil.which(name) or ""]
    if not found[0]:
        raise DrillError(f"PostgreSQL server binary {name!r} not found (install postgresql)")
    return found[0]


class PrivatePostgres:
    """A throwaway PostgreSQL cluster: trust authentication, listening on 127.0.0.1 and a private socket."""

    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.data = root / "pgdata"
        self.log = root / "postgres.log"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/kinerja"

    def run(self, *args: str) -> str:
        result = subprocess.run([*self.as_user, *args], capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise DrillError(f"{' '.join(args[:2])} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result.stdout

    def scalar(self, sql: str) -> str:
        """The single value a query returns, read with psql (the drill checks what the app left behind)."""
        return self.run(postgres_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d",
                        "kinerja", "-Atq", "-c", sql).strip()

    def init(self) -> None:
        """Create the cluster and the kinerja database."""
        if self.as_user:
            uid = pwd.getpwnam("postgres").pw_uid
            os.chown(self.root, uid, -1)
        self.run(postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8")
        self.start()
        self.run(postgres_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q",
                 "-c", "CREATE DATABASE kinerja")

    def start(self) -> float:
        """Start the server and wait until it accepts connections; returns the seconds that took."""
        started = time.monotonic()
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        return time.monotonic() - started

    def stop(self, mode: str = "fast") -> None:
        self.run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


class PrivateRedis:
    """A throwaway redis-server without persistence."""

    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise DrillError("redis-server not found (install redis-server)")
        with open(self.root / "redis.log", "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.root)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: port_open(self.port), 10, "redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=STOP_TIMEOUT)
        self.process = None


def descendants(pid: int) -> list[int]:
    """The ids of every process below `pid` (children, grandchildren...), read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, pending = [], [pid]
    while pending:
        below = children.get(pending.pop(), [])
        found += below
        pending += below
    return found


class AppProcess:
    """A process of the app (gunicorn or a job worker) in a session of its own, so it and its children stop
    together."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own venv and fixed arguments
                self.command, cwd=PROJECT_DIR, env=self.env, stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self) -> int:
        if self.process is None:
            raise DrillError(f"{self.name} is not running")
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill_group(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send `sig` to the process, every child it forked (they share its process group) and the children that
        moved to a process group of their own (an RQ work horse does), found by their parent ids."""
        if self.process is None:
            return
        tree = descendants(self.process.pid)
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        for pid in tree:
            with suppress(ProcessLookupError):
                os.kill(pid, sig)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.kill_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill_group(signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT)
        else:
            self.kill_group(signal.SIGKILL)  # children a dead parent left behind
        self.process = None

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class World:
    """One drill's private PostgreSQL, Redis, folders and app processes."""

    def __init__(self, root: Path, stack: ExitStack) -> None:
        self.root, self.stack = root, stack
        self.postgres = PrivatePostgres(root, free_port(55432))
        self.redis = PrivateRedis(root, free_port(6390))
        self.http_port = free_port(18080)
        self.uploads = root / "uploads"
        self.reports = root / "reports"
        self.instance = root / "instance"
        for folder in (self.uploads, self.reports, self.instance):
            folder.mkdir()
        self.env = self.app_env()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def app_env(self) -> dict[str, str]:
        # The clock's setting passes on, so gunicorn, the job worker and the drill agree on the day.
        env = {key: value for key, value in os.environ.items()
               if key == clock.SETTING or not key.startswith(("KINERJA_", "FLASK_"))}
        env.update({
            "KINERJA_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "SESSION_COOKIE_SECURE": "0",
            "DATABASE_URL": self.postgres.url, "REDIS_URL": self.redis.url, "UPLOAD_FOLDER": str(self.uploads),
            "REPORT_FOLDER": str(self.reports), "KINERJA_INSTANCE_PATH": str(self.instance),
            "JOB_RUNNER": "auto", "REPORT_PROCESSES": "1", "PYTHONUNBUFFERED": "1", "PUBLIC_BASE_URL": self.base_url,
        })
        return env

    def flask(self, *args: str, env: dict[str, str] | None = None, timeout: float = 900) -> str:
        """Run a `flask --app wsgi` command against the private servers; returns its output."""
        result = subprocess.run(  # noqa: S603 - our own venv and fixed arguments
            [str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=PROJECT_DIR, env=env or self.env,
            capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise DrillError(f"flask {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def start_servers(self) -> None:
        """Start PostgreSQL and Redis, migrate and seed the demo regency.

        The seed's own report prerendering jobs are dropped: they would keep the drill's single worker busy for
        minutes, and what the drills watch is the jobs they start themselves.
        """
        self.postgres.init()
        self.stack.callback(self.stop_postgres)
        self.redis.start()
        self.stack.callback(self.redis.stop)
        self.flask("db", "upgrade")
        self.flask("seed-demo", env=self.env | {"JOB_RUNNER": "none"})
        self.postgres.scalar("DELETE FROM job")

    def stop_postgres(self) -> None:
        if self.postgres.running():
            self.postgres.stop("immediate")

    def gunicorn(self, env: dict[str, str] | None = None) -> AppProcess:
        """Start gunicorn with two workers (or deploy/gunicorn.conf.py when present) and wait for /health."""
        command = [str(VENV_BIN / "gunicorn"), "-b", f"127.0.0.1:{self.http_port}"]
        config = PROJECT_DIR / "deploy" / "gunicorn.conf.py"
        command += ["-c", str(config)] if config.exists() else ["-w", "2", "--timeout", "60"]
        app = AppProcess("gunicorn", [*command, "wsgi:app"], env or self.env, self.root / "gunicorn.log")
        app.start()
        self.stack.callback(app.stop)
        wait_until(lambda: port_open(self.http_port), 60, "gunicorn")
        return app

    def worker(self, env: dict[str, str] | None = None) -> AppProcess:
        """Start an RQ job worker (`flask jobs worker`)."""
        worker = AppProcess("worker", [str(VENV_BIN / "flask"), "--app", "wsgi", "jobs", "worker"],
                            env or self.env, self.root / "worker.log")
        worker.start()
        self.stack.callback(worker.stop)
        return worker


def new_world(stack: ExitStack) -> World:
    """A temporary folder, removed when `stack` closes, holding a new World (servers not started yet)."""
    root = Path(tempfile.mkdtemp(prefix="kinerja-drill-"))
    stack.callback(shutil.rmtree, root, ignore_errors=True)
    return World(root, stack)
