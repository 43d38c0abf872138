"""Configuration for development, testing and production.

Every setting can be overridden from the environment; docs/operations.md#configuration lists them.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("KINERJA_INSTANCE_PATH", BASE_DIR / "instance"))


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    return int(value) if value is not None else default


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env_str(name, default) or "").split(",") if item.strip()]


def instance_secret_key() -> str:
    """Return the development secret key, creating it under instance/ the first time."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = env_str("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = env_str("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'kinerja.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = env_int("SQLITE_BUSY_TIMEOUT_MS", 5000)
    # FULL keeps every committed transaction on power loss; NORMAL is faster but may lose the last commits.
    SQLITE_SYNCHRONOUS = env_str("SQLITE_SYNCHRONOUS", "FULL")
    REDIS_URL = env_str("REDIS_URL")
    UPLOAD_FOLDER = env_str("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    # The static build (`python -m kinerja.assets build`, run by `make install`): content-hashed, precompressed
    # copies of static/ served at /static/dist/ and named by url_for('static', ...).
    STATIC_BUILD_FOLDER = env_str("STATIC_BUILD_FOLDER", str(BASE_DIR / "static" / "dist"))
    DEFAULT_TIMEZONE = env_str("DEFAULT_TIMEZONE", "Asia/Jakarta")

    BABEL_DEFAULT_LOCALE = env_str("BABEL_DEFAULT_LOCALE", "id")
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("id", "en")

    # Argon2id at OWASP's minimum (kinerja/auth/passwords.py); older werkzeug hashes move over at each sign-in.
    PASSWORD_HASH_METHOD = env_str("PASSWORD_HASH_METHOD", "argon2id")
    PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10)
    IDLE_TIMEOUT_MINUTES = env_int("IDLE_TIMEOUT_MINUTES", 30)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=env_int("SESSION_MAX_HOURS", 12))
    # The cookie is signed and sent again only when the session changes (its last-seen time, at most once a
    # minute: kinerja/auth/views.py), not on every response.
    SESSION_REFRESH_EACH_REQUEST = False
    # The dashboards read every employee's month in their scope: a page keeps those figures this long (per app
    # process) and says when they were read; "Perbarui" reads them again. 0 reads them on every view.
    DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 120)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"  # unused today (no "remember me"), strict should it ever be offered

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which the idle timeout bounds

    RATELIMIT_STORAGE_URI = env_str("RATELIMIT_STORAGE_URI") or env_str("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "kinerja"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # if Redis goes away, limits go on in memory
    RATELIMIT_STRATEGY = "moving-window"
    LOGIN_LIMIT_PER_ACCOUNT = env_str("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_IP = env_str("LOGIN_LIMIT_PER_IP", "30 per 15 minutes")

    PER_PAGE = env_int("PER_PAGE", 25)

    # Logging (kinerja/logs.py): "text" lines or "json" lines (with the request id), at LOG_LEVEL.
    LOG_FORMAT = env_str("LOG_FORMAT", "text")
    LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
    # Monitoring extras (kinerja/monitoring.py), off unless set: error reports to Sentry or a self-hosted
    # GlitchTip (pip install ".[sentry]"), and /metrics for Prometheus (pip install ".[metrics]") open to a
    # bearer token or to the listed networks.
    SENTRY_DSN = env_str("SENTRY_DSN")
    SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT")
    SENTRY_TRACES_SAMPLE_RATE = float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0)
    METRICS_TOKEN = env_str("METRICS_TOKEN")
    METRICS_NETWORKS = env_list("METRICS_NETWORKS")

    # Activities (BKD may change these; issue 8 moves them into the settings screen).
    BACKDATE_WORKING_DAYS = env_int("BACKDATE_WORKING_DAYS", 5)
    MAX_HOURS_PER_DAY = env_int("MAX_HOURS_PER_DAY", 12)
    EFFECTIVE_MINUTES_PER_DAY = env_int("EFFECTIVE_MINUTES_PER_DAY", 300)
    FILING_LOCK_DAY = env_int("FILING_LOCK_DAY", 5)
    EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 10) * 1024 * 1024
    EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", 5)
    REVIEW_LOCK_DAY = env_int("REVIEW_LOCK_DAY", 10)
    # Where items of someone without an active appraiser go: "next_appraiser" (the appraiser's own
    # appraiser) or "agency_admin".
    ORPHAN_REVIEW_ROUTE = env_str("ORPHAN_REVIEW_ROUTE", "next_appraiser")
    FLAG_DAILY_MINUTES = env_int("FLAG_DAILY_MINUTES", 540)
    FLAG_REPEATED_DAYS = env_int("FLAG_REPEATED_DAYS", 15)
    REMIND_WAITING_DAYS = env_int("REMIND_WAITING_DAYS", 3)
    MAIL_SERVER = env_str("MAIL_SERVER")
    MAIL_PORT = env_int("MAIL_PORT", 587)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", True)
    MAIL_USERNAME = env_str("MAIL_USERNAME")
    MAIL_PASSWORD = env_str("MAIL_PASSWORD")
    MAIL_SENDER = env_str("MAIL_SENDER", "kinerja@localhost")
    # WhatsApp/Telegram (kinerja.messaging): BKD sets the gateways on /bkd/pesan, their tokens stay in environment
    # variables named there (KINERJA_…). A notice is sent at most MESSAGES_PER_PERSON_DAY times a day per person and
    # channel (the rest wait for the next day) and tried MESSAGE_MAX_ATTEMPTS times, waiting 1, 2, 4… minutes
    # (at most MESSAGE_BACKOFF_CAP_SECONDS) between attempts; a gateway answering slower than
    # MESSAGE_TIMEOUT_SECONDS counts as a failed attempt.
    MESSAGES_PER_PERSON_DAY = env_int("MESSAGES_PER_PERSON_DAY", 10)
    MESSAGE_MAX_ATTEMPTS = env_int("MESSAGE_MAX_ATTEMPTS", 12)
    MESSAGE_BACKOFF_SECONDS = env_int("MESSAGE_BACKOFF_SECONDS", 60)
    MESSAGE_BACKOFF_CAP_SECONDS = env_int("MESSAGE_BACKOFF_CAP_SECONDS", 3600)
    MESSAGE_TIMEOUT_SECONDS = env_int("MESSAGE_TIMEOUT_SECONDS", 15)
    # Above this a request is refused before it is read (a friendly 413 page); smaller files that still
    # break EVIDENCE_MAX_BYTES are refused by the form with a message.
    MAX_CONTENT_LENGTH = env_int("MAX_REQUEST_MB", 60) * 1024 * 1024

    # JSON API (/api/v1): how long a personal access token lives; origins allowed to call it from a browser
    # (comma-separated; empty: CORS off).
    API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)
    API_RATE_LIMIT = env_str("API_RATE_LIMIT", "300 per minute")  # per token (or per address without one)
    API_CORS_ORIGINS = [origin.strip() for origin in env_str("API_CORS_ORIGINS", "").split(",") if origin.strip()]

    # Attendance (presensi): position and selfie rules, anti-spoofing flags, working hours (Perpres 21/2023).
    ATTENDANCE_MAX_ACCURACY_M = env_int("ATTENDANCE_MAX_ACCURACY_M", 100)
    ATTENDANCE_MAX_SPEED_KMH = env_int("ATTENDANCE_MAX_SPEED_KMH", 200)
    ATTENDANCE_SAME_SPOT_M = env_int("ATTENDANCE_SAME_SPOT_M", 1)
    ATTENDANCE_SAME_SPOT_DAYS = env_int("ATTENDANCE_SAME_SPOT_DAYS", 3)
    REGENCY_BBOX = env_str("REGENCY_BBOX", "-7.0,107.4,-6.7,107.7")
    SELFIE_MAX_BYTES = env_int("SELFIE_MAX_MB", 5) * 1024 * 1024
    SELFIE_MAX_PIXELS = env_int("SELFIE_MAX_PIXELS", 50_000_000)
    SELFIE_HASH_DISTANCE = env_int("SELFIE_HASH_DISTANCE", 4)
    SELFIE_RETENTION_DAYS = env_int("SELFIE_RETENTION_DAYS", 90)
    # Attendance machines (ADMS "iclock" push, kinerja.devices): a later punch within DEVICE_REPEAT_MINUTES of the
    # check-in is a repeated press, not a check-out; what machines sent is kept DEVICE_LOG_RETENTION_DAYS; requests
    # per machine (serial number) and per address are limited; a punch more than ICLOCK_FUTURE_SECONDS ahead of the
    # server's clock is refused (the machine's clock is wrong); uploads above ICLOCK_MAX_BODY_KB are refused.
    DEVICE_REPEAT_MINUTES = env_int("DEVICE_REPEAT_MINUTES", 30)
    DEVICE_LOG_RETENTION_DAYS = env_int("DEVICE_LOG_RETENTION_DAYS", 400)
    ICLOCK_RATE_LIMIT = env_str("ICLOCK_RATE_LIMIT", "120 per minute")
    ICLOCK_ADDRESS_RATE_LIMIT = env_str("ICLOCK_ADDRESS_RATE_LIMIT", "600 per minute")
    ICLOCK_FUTURE_SECONDS = env_int("ICLOCK_FUTURE_SECONDS", 300)
    ICLOCK_MAX_BODY_KB = env_int("ICLOCK_MAX_BODY_KB", 1024)
    # Working days after a day within which staff may ask for its attendance to be corrected.
    CORRECTION_WORKING_DAYS = env_int("CORRECTION_WORKING_DAYS", 3)
    WORK_START = env_str("WORK_START", "07:30")
    WORK_WEEK_MINUTES = env_int("WORK_WEEK_MINUTES", 2250)
    BREAK_MINUTES = env_int("BREAK_MINUTES", 60)
    FRIDAY_BREAK_MINUTES = env_int("FRIDAY_BREAK_MINUTES", 90)
    RAMADAN_START = env_str("RAMADAN_START")
    RAMADAN_END = env_str("RAMADAN_END")
    RAMADAN_WORK_START = env_str("RAMADAN_WORK_START", "08:00")
    RAMADAN_WEEK_MINUTES = env_int("RAMADAN_WEEK_MINUTES", 1950)
    RAMADAN_BREAK_MINUTES = env_int("RAMADAN_BREAK_MINUTES", 30)
    RAMADAN_FRIDAY_BREAK_MINUTES = env_int("RAMADAN_FRIDAY_BREAK_MINUTES", 60)

    # Reports and background jobs. JOB_RUNNER: "auto" (RQ when REDIS_URL is set, else a local worker process
    # started on demand), "rq", "local", or "none" (jobs wait for `flask jobs work`).
    REPORT_FOLDER = env_str("REPORT_FOLDER", str(INSTANCE_DIR / "reports"))
    REPORT_RETENTION_DAYS = env_int("REPORT_RETENTION_DAYS", 7)
    REPORT_PROCESSES = env_int("REPORT_PROCESSES", min(2, os.cpu_count() or 1))
    REPORT_RECYCLE_AFTER = env_int("REPORT_RECYCLE_AFTER", 250)  # documents per rendering process
    # The address printed in verification links on documents; required in production. Unset (development),
    # a request uses its own host and a job the address the app last served (kinerja.reports.store.base_url).
    PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL")
    JOB_RUNNER = env_str("JOB_RUNNER", "auto")
    JOB_QUEUE = env_str("JOB_QUEUE", "kinerja")
    JOB_WORKER_NICE = env_int("JOB_WORKER_NICE", 10)  # job workers yield the CPU to web requests (0: no change)
    JOB_STALE_MINUTES = env_int("JOB_STALE_MINUTES", 10)  # a running job silent this long is counted as failed
    # Rendering ahead waits until the edits behind it settle: a burst of approvals makes one job, run this long
    # after the last of them (kinerja.reports.prerender). Jobs someone asked for never wait behind it.
    PRERENDER_SETTLE_SECONDS = env_int("PRERENDER_SETTLE_SECONDS", 30)

    @classmethod
    def finalize(cls, config: dict) -> None:
        """Complete or check settings once the app has loaded them."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"

    @classmethod
    def finalize(cls, config: dict) -> None:
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = instance_secret_key()


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = env_str("DATABASE_URL", "sqlite://")
    PASSWORD_HASH_METHOD = "argon2id:256:1:1"  # noqa: S105 - cheap hashes keep the suite fast
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    UPLOAD_FOLDER = env_str("UPLOAD_FOLDER", str(INSTANCE_DIR / "test-uploads"))
    REPORT_FOLDER = env_str("REPORT_FOLDER", str(INSTANCE_DIR / "test-reports"))
    JOB_RUNNER = "none"  # tests run queued jobs themselves
    DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 0)  # tests see every change at once
    STATIC_BUILD_FOLDER = env_str("STATIC_BUILD_FOLDER")  # plain names, built or not (tests that build set one)
    PRERENDER_SETTLE_SECONDS = env_int("PRERENDER_SETTLE_SECONDS", 0)
    JOB_WORKER_NICE = env_int("JOB_WORKER_NICE", 0)  # `jobs worker` run inside pytest must not nice pytest
    REPORT_PROCESSES = 1


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    PROXY_FIX_HOPS = env_int("PROXY_FIX_HOPS", 1)
    LOG_FORMAT = env_str("LOG_FORMAT", "json")  # one JSON object a line, for the log collector

    @classmethod
    def finalize(cls, config: dict) -> None:
        if not config.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in the environment to run in production.")
        address = urlsplit(config.get("PUBLIC_BASE_URL") or "")
        if address.scheme not in ("http", "https") or not address.netloc:
            raise RuntimeError(
                "PUBLIC_BASE_URL must be set in the environment to run in production: the address users reach "
                "the app at, such as https://kinerja.example.go.id, printed in the verification links and QR codes "
                "of documents rendered by background jobs.")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    """Pick the configuration class named by the argument or by KINERJA_ENV (default development)."""
    key = name or env_str("KINERJA_ENV", "development")
    try:
        return CONFIGS[key]
    except KeyError:
        raise RuntimeError(f"Unknown KINERJA_ENV {key!r}; use one of {', '.join(CONFIGS)}") from None
