"""Ramadan's dates from the Hijri (Umm al-Qura) calendar, and BKD's correction replacing only the Ramadan it
corrects."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kinerja.attendance import ramadan
from kinerja.attendance.ramadan import Ramadan, computed_ramadan, next_computed_ramadan, ramadan_on


@pytest.mark.parametrize(("hijri_year", "start", "end"), [
    (1446, date(2025, 3, 1), date(2025, 3, 29)),
    (1447, date(2026, 2, 18), date(2026, 3, 19)),
    (1448, date(2027, 2, 8), date(2027, 3, 8)),
    (1451, date(2030, 1, 5), date(2030, 2, 3)),
    (1452, date(2030, 12, 26), date(2031, 1, 23)),  # 2030 has two Ramadans
])
def test_each_day_of_ramadan_and_none_around_it(hijri_year, start, end):
    expected = Ramadan(start, end, hijri_year)
    assert ramadan.ramadan_of_hijri_year(hijri_year) == expected
    assert computed_ramadan(start) == computed_ramadan(end) == expected
    assert computed_ramadan(start - timedelta(days=1)) is None and computed_ramadan(end + timedelta(days=1)) is None
    assert expected.days in (29, 30) and type(ramadan.ramadan_of_hijri_year(hijri_year).start) is date


def test_the_next_ramadan_is_this_one_until_its_last_day():
    assert next_computed_ramadan(date(2026, 1, 1)).hijri_year == 1447
    assert next_computed_ramadan(date(2026, 3, 19)).hijri_year == 1447
    assert next_computed_ramadan(date(2026, 3, 20)).hijri_year == 1448


def test_days_outside_the_calendar_s_table_have_no_ramadan_and_no_error():
    assert computed_ramadan(date(2090, 1, 1)) is None and next_computed_ramadan(date(2090, 1, 1)) is None
    assert ramadan.ramadan_of_hijri_year(1600) is None


def test_without_settings_the_calendar_applies(app):
    with app.app_context():
        assert ramadan_on(date(2026, 3, 2)) == Ramadan(date(2026, 2, 18), date(2026, 3, 19), 1447)
        assert ramadan_on(date(2026, 3, 20)) is None


def test_a_correction_replaces_the_ramadan_it_corrects_and_no_other(app, monkeypatch):
    monkeypatch.setitem(app.config, "RAMADAN_START", "2026-02-17")
    monkeypatch.setitem(app.config, "RAMADAN_END", "2026-03-17")
    with app.app_context():
        assert ramadan_on(date(2026, 2, 17)) == Ramadan(date(2026, 2, 17), date(2026, 3, 17))
        assert ramadan_on(date(2026, 3, 18)) is None  # the calendar's last two days are corrected away
        assert ramadan_on(date(2025, 3, 10)).hijri_year == 1446
        assert ramadan_on(date(2027, 2, 8)).hijri_year == 1448
