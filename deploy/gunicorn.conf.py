"""Gunicorn settings for Kinerja: `.venv/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Every setting comes from an environment variable (systemd reads them from /etc/kinerja/kinerja.env):

    GUNICORN_BIND                  127.0.0.1:8000   address(es) to listen on, comma-separated
    GUNICORN_WORKERS               2 x cores        worker processes
    GUNICORN_THREADS               1                threads per worker (above 1 gunicorn uses gthread workers)
    GUNICORN_TIMEOUT               60               seconds a silent worker may take before it is restarted
    GUNICORN_GRACEFUL_TIMEOUT      30               seconds for in-flight requests on restart or stop
    GUNICORN_KEEPALIVE             5                seconds an idle keep-alive connection from the proxy stays open
    GUNICORN_MAX_REQUESTS          10000            a worker is replaced after this many requests (0: never)
    GUNICORN_MAX_REQUESTS_JITTER   1000             random extra requests, so workers do not all restart at once
    GUNICORN_FORWARDED_ALLOW_IPS   127.0.0.1        proxies whose X-Forwarded-* headers are trusted
    GUNICORN_ACCESS_LOG            -                access log file ("-": stdout, i.e. the journal; "": off)
    GUNICORN_ERROR_LOG             -                error log file ("-": stderr)
    GUNICORN_LOG_LEVEL             info             debug, info, warning, error, critical
    GUNICORN_CONTROL_SOCKET        unset (off)      path of gunicorn's control socket for `gunicornc` (gunicorn 25+)

Sync workers suit this app: requests are short database work, and anything slow (PDF packs, exports) runs in
the job workers. About two workers per core keeps the CPU busy while others wait on the database; every worker
holds its own database connection pool (SQLAlchemy's default 5 + 10 overflow), so size PostgreSQL's
max_connections for workers x app servers x 15 plus the job workers.
"""

from __future__ import annotations

import os


def env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


bind = [address.strip() for address in env("GUNICORN_BIND", "127.0.0.1:8000").split(",") if address.strip()]
workers = env_int("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1))
threads = env_int("GUNICORN_THREADS", 1)
worker_class = "sync" if threads == 1 else "gthread"
timeout = env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then, so a slow leak in a library never grows without bound. Not too often: a new
# worker loads the app again (about 3 s of CPU here): at 1,000 the 24,000 requests of the 8-minute month-end
# load test replaced about 24 workers, some 70 s of CPU, a tenth of what gunicorn used (issue 19).
max_requests = env_int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 1000)

# The heartbeat file of each worker: on tmpfs, so a slow or full disk cannot make healthy workers look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - tmpfs, gunicorn's advice

# The app applies X-Forwarded-For/-Proto/-Host itself (werkzeug ProxyFix, PROXY_FIX_HOPS); gunicorn only needs
# to trust the same proxy for the scheme it reports.
forwarded_allow_ips = env("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = env("GUNICORN_ERROR_LOG", "-")
loglevel = env("GUNICORN_LOG_LEVEL", "info")
# Client address as the proxy saw it, then the usual fields, then the request time in seconds (%(L)s).
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(B)s "%(f)s" "%(a)s" %(L)ss'

# gunicorn 25+ opens a control socket at one fixed path per user; several instances on a host (a second app
# server, a load test) would fight over it, so it stays off unless a path is given.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

proc_name = "kinerja"
# Requests larger than MAX_REQUEST_MB are refused by the app; these bound the request line and headers.
limit_request_line = 8190
limit_request_fields = 100
