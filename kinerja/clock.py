"""The one clock: every "now" and "today" in Kinerja is read here and nowhere else.

One setting moves it, the environment variable KINERJA_CLOCK, so a process and every process it starts (job
workers, gunicorn, the race tests' children) agree on the time:

- unset or empty: the real clock;
- ``2026-12-31T23:30:00+07:00``: frozen at that instant;
- ``2026-12-31T23:30:00+07:00@1796056200.0``: running, at that instant when the real clock read that many
  seconds since the epoch, so time passes as usual from a chosen start (``setting(..., running=True)``).

Durations (timeouts, benchmarks) are measured with ``time.monotonic`` and are not the clock's business.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

SETTING = "KINERJA_CLOCK"
FALLBACK_TIMEZONE = "Asia/Jakarta"


class ClockSettingError(ValueError):
    """KINERJA_CLOCK holds something that is not an instant with its UTC offset."""


@lru_cache(maxsize=16)
def _parse(value: str) -> tuple[datetime, float | None]:
    instant_text, _, anchor_text = value.partition("@")
    try:
        instant = datetime.fromisoformat(instant_text.strip())
        anchor = float(anchor_text) if anchor_text.strip() else None
    except ValueError as error:
        raise ClockSettingError(f"{SETTING}={value!r}: {error}") from None
    if instant.tzinfo is None:
        raise ClockSettingError(f"{SETTING}={value!r} needs a UTC offset, for example 2026-12-31T23:30:00+07:00")
    return instant.astimezone(UTC), anchor


def setting(instant: datetime, *, running: bool = False) -> str:
    """The KINERJA_CLOCK value that freezes the clock at `instant` (or starts it there and lets it run)."""
    if instant.tzinfo is None:
        raise ClockSettingError("the clock is set with an aware datetime")
    text = instant.isoformat()
    return f"{text}@{time.time():.6f}" if running else text


def is_set() -> bool:
    """Whether the clock is frozen or moved by KINERJA_CLOCK."""
    return bool(os.environ.get(SETTING, "").strip())


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    value = os.environ.get(SETTING, "").strip()
    if not value:
        return datetime.now(UTC)
    instant, anchor = _parse(value)
    if anchor is None:
        return instant
    return datetime.fromtimestamp(instant.timestamp() + time.time() - anchor, UTC)


def zone(tz_name: str | ZoneInfo | None = None) -> ZoneInfo:
    """The named time zone, else the app's DEFAULT_TIMEZONE (Asia/Jakarta outside an app)."""
    if isinstance(tz_name, ZoneInfo):
        return tz_name
    if tz_name:
        return ZoneInfo(tz_name)
    default = current_app.config.get("DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(default or FALLBACK_TIMEZONE)


def now(tz_name: str | ZoneInfo | None = None) -> datetime:
    """The current instant in an agency's time zone (the default zone when none is given)."""
    return utcnow().astimezone(zone(tz_name))


def today(tz_name: str | ZoneInfo | None = None) -> date:
    """Today's date where the agency is: the day its staff and appraisers live in."""
    return now(tz_name).date()
