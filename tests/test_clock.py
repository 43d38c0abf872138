"""The one clock: its setting freezes or moves it here and in child processes; nothing else reads the time."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kinerja import clock

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
LATE_EVENING_UTC = datetime(2026, 12, 8, 16, 30, tzinfo=UTC)  # 23.30 WIB, already 9 December in WITA and WIT


def test_unset_it_is_the_real_clock(monkeypatch):
    monkeypatch.delenv(clock.SETTING, raising=False)
    assert abs(clock.utcnow() - datetime.now(UTC)) < timedelta(seconds=2)
    assert not clock.is_set()


def test_frozen_it_stands_still_at_the_instant(monkeypatch):
    monkeypatch.setenv(clock.SETTING, clock.setting(LATE_EVENING_UTC))
    first = clock.utcnow()
    time.sleep(0.01)
    assert first == clock.utcnow() == LATE_EVENING_UTC and clock.is_set()


def test_the_local_date_follows_the_agency_time_zone(monkeypatch):
    monkeypatch.setenv(clock.SETTING, clock.setting(LATE_EVENING_UTC))
    assert clock.today("Asia/Jakarta") == date(2026, 12, 8)
    assert clock.today("Asia/Makassar") == date(2026, 12, 9) == clock.today(WIT)
    assert clock.now(WITA).hour == 0 and clock.now("Asia/Jayapura").hour == 1


def test_outside_an_app_the_default_zone_is_jakarta(monkeypatch):
    monkeypatch.setenv(clock.SETTING, clock.setting(LATE_EVENING_UTC))
    assert clock.now().utcoffset() == timedelta(hours=7)


def test_inside_the_app_the_default_zone_is_the_setting(app, monkeypatch):
    monkeypatch.setenv(clock.SETTING, clock.setting(LATE_EVENING_UTC))
    monkeypatch.setitem(app.config, "DEFAULT_TIMEZONE", "Asia/Jayapura")
    with app.app_context():
        assert clock.today() == date(2026, 12, 9)


def test_running_it_starts_at_the_instant_and_moves_on(monkeypatch):
    start = datetime(2028, 2, 29, 23, 59, 59, 900000, tzinfo=WIB)
    monkeypatch.setenv(clock.SETTING, clock.setting(start, running=True))
    first = clock.now(WIB)
    assert timedelta(0) <= first - start < timedelta(seconds=1)
    time.sleep(0.15)
    assert clock.now(WIB) > first and clock.today(WIB) == date(2028, 3, 1)


@pytest.mark.parametrize("value", ["yesterday", "2026-12-31T23:30:00", "2026-12-31T23:30:00+07:00@soon"])
def test_a_setting_that_is_not_an_instant_is_refused_with_its_value(monkeypatch, value):
    monkeypatch.setenv(clock.SETTING, value)
    with pytest.raises(clock.ClockSettingError, match=re.escape(value)):
        clock.utcnow()


def test_a_naive_instant_cannot_be_set():
    with pytest.raises(clock.ClockSettingError):
        clock.setting(datetime(2026, 12, 31, 23, 30))


def test_child_processes_read_the_same_clock(monkeypatch):
    monkeypatch.setenv(clock.SETTING, clock.setting(LATE_EVENING_UTC))
    printed = subprocess.run([sys.executable, "-c", "from kinerja import clock; print(clock.today('Asia/Jayapura'))"],
                             capture_output=True, text=True, check=True).stdout
    assert printed.strip() == "2026-12-09"


def test_nothing_but_the_clock_reads_the_time():
    """datetime.now, date.today and their kin appear in kinerja/ only inside kinerja/clock.py."""
    reading = re.compile(r"\b(?:datetime\.(?:now|utcnow|today)|date\.today)\(")
    root = Path(clock.__file__).resolve().parent
    readers = [f"{path.relative_to(root.parent)}:{number}"
               for path in sorted(root.rglob("*.py")) if path.name != "clock.py"
               for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if reading.search(line)]
    assert readers == []
