"""The working calendar: national holidays and cuti bersama, BKD's corrections, leave, the backdating window,
and the month page built on it."""

from __future__ import annotations

import re
from datetime import date

import pytest

from kinerja.activities.queries import month_overview
from kinerja.models import ActivityStatus, HolidayKind, WorkMode
from kinerja.workcalendar import (
    calendar_between,
    earliest_backdate,
    effective_working_days,
    holidays_between,
    month_days,
)
from tests.factories import ActivityFactory, HolidayEntryFactory, LeaveFactory, hm

YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("day", "kind", "name"),
    [
        (date(2026, 8, 17), HolidayKind.NATIONAL, "Hari Kemerdekaan Republik Indonesia"),
        (date(2026, 12, 25), HolidayKind.NATIONAL, "Hari Raya Natal"),
        (date(2026, 3, 21), HolidayKind.NATIONAL, "Hari Raya Idul Fitri"),
        (date(2026, 12, 24), HolidayKind.CUTI_BERSAMA, "Cuti Bersama Hari Raya Natal"),
        (date(2026, 3, 20), HolidayKind.CUTI_BERSAMA, "Cuti Bersama Hari Raya Idul Fitri"),
        (date(2026, 3, 23), HolidayKind.CUTI_BERSAMA, "Cuti Bersama Hari Raya Idul Fitri"),
        (date(2026, 8, 18), None, None),
        (date(2026, 11, 18), None, None),
    ],
)
def test_2026_holidays_and_cuti_bersama(db, day, kind, name):
    holiday = holidays_between(*YEAR_2026).get(day)
    assert ((holiday.kind, holiday.name) if holiday else (None, None)) == (kind, name)


@pytest.mark.parametrize(
    ("entry", "day", "off", "kind"),
    [
        pytest.param({"day": date(2026, 11, 20)}, date(2026, 11, 20), True, HolidayKind.REGIONAL, id="regional-added"),
        pytest.param({"day": date(2026, 8, 17), "is_day_off": False, "name": "Batal"}, date(2026, 8, 17), False, None,
                     id="national-cancelled"),
        pytest.param({"day": date(2026, 12, 24), "is_day_off": False, "name": "Masuk"}, date(2026, 12, 24), False,
                     None, id="cuti-bersama-cancelled"),
    ],
)
def test_holiday_entries_correct_the_national_list(db, entry, day, off, kind):
    HolidayEntryFactory(**entry)
    db.session.commit()
    holiday = holidays_between(*YEAR_2026).get(day)
    assert (holiday.kind if holiday else None) == kind
    (calendar_day,) = calendar_between(day, day, 5)
    assert (calendar_day.off, calendar_day.working) == (off, not off)


# March 2026: 22 weekdays; Nyepi (Thu 19) with cuti bersama (Wed 18), Idul Fitri on Sat 21 and Sun 22 with cuti
# bersama on Fri 20, Mon 23 and Tue 24. Five weekday holidays leave 17 days; a six-day week adds 4 Saturdays, one
# of which (the 21st) is a holiday: 20.
@pytest.mark.parametrize(
    ("work_week", "leave", "expected"),
    [
        (5, None, 17),
        (6, None, 20),
        (5, (9, 13), 12),  # a full week of leave
        (6, (9, 14), 14),  # Monday to Saturday in a six-day week
        (5, (17, 25), 15),  # across Idul Fitri: only Tue 17 and Wed 25 were working days
        (6, (17, 25), 18),
    ],
)
def test_effective_working_days_around_idul_fitri(db, org, work_week, leave, expected):
    employee = org.staff_a
    if leave:
        LeaveFactory(employee_id=employee.id, start_date=date(2026, 3, leave[0]), end_date=date(2026, 3, leave[1]))
    org.agency_a.work_week = work_week
    db.session.commit()
    days = calendar_between(*month_days(2026, 3), work_week, employee.id)
    assert effective_working_days(days) == expected
    overview = month_overview(employee.id, date(2026, 3, 1))
    assert overview.working_days == expected
    assert overview.target_minutes == expected * 300


def test_leave_is_only_the_employees_own(db, org):
    LeaveFactory(employee_id=org.staff_a2.id, start_date=date(2026, 3, 9), end_date=date(2026, 3, 13))
    db.session.commit()
    assert effective_working_days(calendar_between(*month_days(2026, 3), 5, org.staff_a.id)) == 17
    assert effective_working_days(calendar_between(*month_days(2026, 3), 5, org.staff_a2.id)) == 12


@pytest.mark.parametrize(
    ("today", "working_days", "work_week", "earliest"),
    [
        pytest.param(date(2026, 11, 18), 5, 5, date(2026, 11, 11), id="wednesday-across-weekend"),
        pytest.param(date(2026, 11, 23), 5, 5, date(2026, 11, 16), id="monday"),
        pytest.param(date(2026, 11, 23), 1, 5, date(2026, 11, 20), id="monday-one-day-is-friday"),
        pytest.param(date(2026, 11, 22), 5, 5, date(2026, 11, 16), id="sunday"),
        pytest.param(date(2026, 11, 23), 5, 6, date(2026, 11, 17), id="six-day-week"),
        pytest.param(date(2026, 8, 19), 5, 5, date(2026, 8, 11), id="across-independence-day"),
        pytest.param(date(2026, 3, 25), 5, 5, date(2026, 3, 11), id="across-idul-fitri"),
        pytest.param(date(2026, 1, 5), 5, 5, date(2025, 12, 24), id="across-new-year-and-christmas"),
    ],
)
def test_earliest_backdate(db, today, working_days, work_week, earliest):
    assert earliest_backdate(today, working_days, work_week) == earliest


def test_earliest_backdate_skips_a_regional_holiday(db):
    HolidayEntryFactory(day=date(2026, 11, 20))
    db.session.commit()
    assert earliest_backdate(date(2026, 11, 23), 5, 5) == date(2026, 11, 13)


# --- The month page --------------------------------------------------------------------------------------------

NOVEMBER = {
    # day: [(status, start, end, mode)], expected state
    2: ([(ActivityStatus.DRAFT, "08:00", "09:00", WorkMode.WFO)], "draft"),
    3: ([(ActivityStatus.SUBMITTED, "08:00", "09:00", WorkMode.WFO)], "submitted"),
    4: ([(ActivityStatus.APPROVED, "08:00", "10:00", WorkMode.WFO)], "approved"),
    5: ([(ActivityStatus.RETURNED, "08:00", "09:00", WorkMode.WFO)], "returned"),
    6: ([(ActivityStatus.APPROVED, "08:00", "09:00", WorkMode.WFO),
         (ActivityStatus.DRAFT, "09:00", "10:00", WorkMode.WFO)], "draft"),  # what needs attention wins
    7: ([], "off"),  # Saturday
    8: ([(ActivityStatus.APPROVED, "08:00", "09:00", WorkMode.WFH)], "approved"),  # Sunday work shows its status
    9: ([], "leave"),
    10: ([], "leave"),
    11: ([], "empty"),
    12: ([(ActivityStatus.APPROVED, "08:00", "09:00", WorkMode.DL)], "approved"),
    20: ([], "off"),  # regional holiday
    23: ([], "empty"),
}


@pytest.fixture()
def november(db, org):
    employee = org.staff_a
    for number, (items, _state) in NOVEMBER.items():
        for status, start, end, mode in items:
            ActivityFactory(employee=employee, activity_date=date(2026, 11, number), status=status,
                            start_time=hm(start), end_time=hm(end), work_mode=mode,
                            assignment_letter="090/1" if mode is WorkMode.DL else None)
    LeaveFactory(employee_id=employee.id, start_date=date(2026, 11, 9), end_date=date(2026, 11, 10))
    HolidayEntryFactory(day=date(2026, 11, 20))
    db.session.commit()
    return org


def test_month_overview_states_and_summary(app, db, november):
    overview = month_overview(november.staff_a.id, date(2026, 11, 1))
    states = {summary.calendar.day.day: summary.state for summary in overview.days}
    assert {day: states[day] for day in NOVEMBER} == {day: state for day, (_items, state) in NOVEMBER.items()}
    assert len(overview.days) == 30 and overview.first == date(2026, 11, 1)
    # 21 weekdays in November 2026, minus two days of leave and the regional holiday.
    assert overview.working_days == 18
    assert overview.target_minutes == 18 * app.config["EFFECTIVE_MINUTES_PER_DAY"]
    assert overview.approved_minutes == 120 + 60 + 60 + 60
    assert overview.pending_minutes == 60
    assert overview.days_filed == 6  # days with anything beyond drafts: 3, 4, 5, 6, 8, 12
    assert overview.days_by_mode == {WorkMode.WFO: 4, WorkMode.WFH: 1, WorkMode.DL: 1}
    assert [(unit, float(quantity)) for _indicator, unit, quantity in overview.outputs] == [("dokumen", 4.0)]
    assert overview.counts[ActivityStatus.APPROVED] == 4
    assert [len(week) for week in overview.weeks] == [7] * 6  # 1 November 2026 is a Sunday: six grid rows


def test_target_follows_the_setting(app, db, november, monkeypatch):
    monkeypatch.setitem(app.config, "EFFECTIVE_MINUTES_PER_DAY", 330)
    assert month_overview(november.staff_a.id, date(2026, 11, 1)).target_minutes == 18 * 330


def test_month_page_shows_the_states(client, auth, november):
    auth.login(november.staff_a.id_number)
    page = client.get("/kegiatan/bulan/2026-11").text
    cell = r'<td class="day-cell state-(\w+)[^"]*">\s*<a href="/kegiatan/2026-11-(\d\d)"'
    cells = {int(day): state for state, day in re.findall(cell, page)}
    assert len(cells) == 30
    assert {day: cells[day] for day in NOVEMBER} == {day: state for day, (_items, state) in NOVEMBER.items()}
    for state in ("empty", "draft", "submitted", "approved", "returned", "off", "leave"):
        assert f'class="legend state-{state}"' in page
    assert "Hari kerja efektif</dt><dd class=\"col-4 text-end\">18</dd>" in page
    assert "300 / 5.400" in page  # approved minutes / target, in Indonesian number format
