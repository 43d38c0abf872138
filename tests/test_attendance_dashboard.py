"""The agency's attendance dashboards: today per unit, the month per employee (also XLSX), who may open them,
and their query counts (the demo's check-ins: tests/test_seed_attendance.py)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time

import pytest
from openpyxl import load_workbook

from kinerja import clock
from kinerja.attendance import dashboard
from kinerja.models import (
    Agency,
    AttendanceKind,
    AttendanceRecord,
    LeaveKind,
    WorkMode,
)
from tests.factories import HolidayEntryFactory, LeaveFactory, UnitFactory, staff_member
from tests.querycount import count_queries

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments

NOVEMBER = date(2026, 11, 1)
AFTER = date(2026, 11, 23)  # "today" for the month figures: the days before it are counted


def record(employee, agency, day: date, mode=WorkMode.WFO, kind=AttendanceKind.IN, late=0, early=0):
    from kinerja.extensions import db

    made = AttendanceRecord(
        employee_id=employee.id, agency_id=agency.id, day=day, kind=kind, mode=mode,
        at=datetime.combine(day, time(0, 30), tzinfo=UTC), latitude=-6.8722, longitude=107.542, accuracy_m=10.0,
        late_minutes=late, early_minutes=early, assignment_letter="800/1-A/2026" if mode is WorkMode.DL else None)
    db.session.add(made)
    return made


@pytest.fixture()
def today_story(org, db):
    """Agency A today: one at the office, one at home, one in the field, one on leave, two not checked in."""
    today = clock.today(org.agency_a.timezone)
    record(org.staff_a, org.agency_a, today, WorkMode.WFO, late=12)
    record(org.staff_a, org.agency_a, today, WorkMode.WFO, kind=AttendanceKind.OUT)
    record(org.staff_a2, org.agency_a, today, WorkMode.WFH)
    record(org.appraiser_a, org.agency_a, today, WorkMode.DL)
    LeaveFactory(employee_id=org.other_appraiser_a.id, start_date=today, end_date=today)
    record(org.staff_b, org.agency_b, today, WorkMode.WFO)  # another agency: not counted
    record(org.other_staff_a, org.agency_a, date(2026, 1, 5), WorkMode.WFO)  # another day: not counted
    db.session.commit()
    return today


def test_today_counts_per_unit_and_in_total(today_story, org, db):
    summary = dashboard.agency_today(org.agency_a, today_story)
    total = summary.total
    assert (total.staff, total.office, total.home, total.field_duty, total.leave, total.missing) == (6, 1, 1, 1, 1, 2)
    units = {unit.name: unit for unit in summary.units}
    assert set(units) == {"Sekretariat A", "Seksi A1", "Seksi A2"}
    section = units["Seksi A1"]
    assert (section.staff, section.office, section.home, section.field_duty, section.missing) == (3, 1, 1, 1, 0)
    other = units["Seksi A2"]
    assert (other.staff, other.leave, other.missing, other.missing_names) == (2, 1, 1, ["Staf Lain A"])
    assert units["Sekretariat A"].missing_names == ["Kepala A"]


def test_today_page_shows_the_totals(today_story, client, auth, org):
    auth.login("admin.a")
    page = client.get(f"/presensi/opd/{org.agency_a.id}/hari-ini")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for key, value in (("office", 1), ("home", 1), ("field", 1), ("leave", 1), ("missing", 2)):
        assert f'data-count="{key}">{value}<' in text
    assert "Staf Lain A" in text


@pytest.fixture()
def month_story(org, db):
    """November 2026 for staff A: a regional holiday on the 20th, leave on the 9th and 10th, five check-ins."""
    HolidayEntryFactory(day=date(2026, 11, 20))
    LeaveFactory(employee_id=org.staff_a.id, kind=LeaveKind.CUTI, start_date=date(2026, 11, 9),
                 end_date=date(2026, 11, 10))
    record(org.staff_a, org.agency_a, date(2026, 11, 2), WorkMode.WFO, late=10)
    record(org.staff_a, org.agency_a, date(2026, 11, 2), WorkMode.WFO, kind=AttendanceKind.OUT, early=15)
    record(org.staff_a, org.agency_a, date(2026, 11, 3), WorkMode.WFH)
    record(org.staff_a, org.agency_a, date(2026, 11, 4), WorkMode.DL)  # field duty: never late
    record(org.staff_a, org.agency_a, date(2026, 11, 16), WorkMode.WFO)
    record(org.staff_a, org.agency_a, date(2026, 11, 20), WorkMode.WFO)  # on the holiday: present, not required
    record(org.staff_a, org.agency_a, date(2026, 10, 30), WorkMode.WFH, late=99)  # the month before
    db.session.commit()


def test_month_summary_counts_modes_and_minutes_and_skips_holidays_and_leave(month_story, org, db):
    summary = dashboard.month_attendance_summary(org.staff_a.id, NOVEMBER, today=AFTER)
    assert summary["days"] == {WorkMode.WFO: 3, WorkMode.WFH: 1, WorkMode.DL: 1}
    assert summary["days_present"] == 5
    assert (summary["late_minutes"], summary["late_days"], summary["early_minutes"]) == (10, 1, 15)
    # 21 weekdays − the holiday − two days of leave; before the 23rd: 15 − 1 − 2 = 12, four of them checked in.
    assert summary["working_days"] == 18
    assert summary["missing_days"] == 8


def test_month_summary_of_someone_without_records(org, db):
    summary = dashboard.month_attendance_summary(org.staff_a2.id, NOVEMBER, today=AFTER)
    assert summary["days_present"] == 0 and summary["late_minutes"] == 0
    assert summary["missing_days"] == 15


def test_agency_month_rows_match_the_summary_and_sort(month_story, org, db):
    rows = dashboard.agency_month(org.agency_a, NOVEMBER, AFTER, "late")
    assert rows[0].assignment.employee_id == org.staff_a.id
    assert rows[0].as_dict() == dashboard.month_attendance_summary(org.staff_a.id, NOVEMBER, today=AFTER)
    assert len(rows) == 6
    by_missing = dashboard.agency_month(org.agency_a, NOVEMBER, AFTER, "missing")
    assert by_missing[-1].assignment.employee_id == org.staff_a.id


def test_month_page_and_xlsx(month_story, client, auth, org):
    auth.login("admin.a")
    page = client.get(f"/presensi/opd/{org.agency_a.id}/bulan?bulan=2026-11&sort=wfo")
    assert page.status_code == 200
    assert "Staf A" in page.get_data(as_text=True)
    response = client.get(f"/presensi/opd/{org.agency_a.id}/bulan.xlsx?bulan=2026-11")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('-2026-11.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[1] == "Nama" and header[5] == "Hadir WFO"
    mine = next(row for row in rows[1:] if row[1].startswith("Staf A") and "Dua" not in row[1])
    assert mine[5:9] == (3, 1, 1, 5)
    assert mine[10] == 10 and mine[11] == 15
    assert len(rows) == 7


@pytest.mark.parametrize("path", ["hari-ini", "bulan", "bulan.xlsx"])
def test_who_may_open_the_dashboards(client, auth, org, db, path):
    def status(identifier: str, agency: Agency) -> int:
        auth.logout()
        auth.login(identifier)
        return client.get(f"/presensi/opd/{agency.id}/{path}").status_code

    assert status("admin.a", org.agency_a) == 200
    assert status("admin.a", org.agency_b) == 404
    assert status(org.head_a.id_number, org.agency_a) == 200
    assert status(org.head_a.id_number, org.agency_b) == 404
    assert status(org.staff_a.id_number, org.agency_a) == 404
    assert status(org.appraiser_a.id_number, org.agency_a) == 404
    assert status("admin.bkd", org.agency_b) == 200


def test_the_agency_page_links_to_the_dashboards(client, auth, org):
    auth.login("admin.a")
    text = client.get(f"/opd/{org.agency_a.id}").get_data(as_text=True)
    assert f"/presensi/opd/{org.agency_a.id}/hari-ini" in text
    assert f"/presensi/opd/{org.agency_a.id}/bulan" in text


def grow(db, agency_id: int, appraiser_id: int, size: int) -> None:
    """`size` more people in the agency, each with a check-in today and one in the month, half with leave."""
    from kinerja.models import Employee

    agency, appraiser = db.session.get(Agency, agency_id), db.session.get(Employee, appraiser_id)
    unit = UnitFactory(agency=agency, code=f"09.{size:02d}", name=f"Unit {size}")
    today = clock.today(agency.timezone)
    for index in range(size):
        employee = staff_member(unit, appraiser)
        db.session.flush()
        record(employee, agency, today, WorkMode.WFH if index % 2 else WorkMode.WFO, late=index)
        record(employee, agency, date(2026, 11, 3), WorkMode.WFO, late=index)
        if index % 2:
            LeaveFactory(employee_id=employee.id, start_date=date(2026, 11, 4), end_date=date(2026, 11, 5))
    db.session.commit()


def queries_for(client, db, url: str) -> int:
    db.session.remove()  # requests share the test's session: start each from an empty identity map
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["hari-ini", "bulan?bulan=2026-11", "bulan.xlsx?bulan=2026-11"])
def test_dashboard_queries_do_not_grow_with_headcount(client, auth, org, db, path):
    auth.login("admin.a")
    url = f"/presensi/opd/{org.agency_a.id}/{path}"
    agency_id, appraiser_id = org.agency_a.id, org.appraiser_a.id
    grow(db, agency_id, appraiser_id, 3)
    small = queries_for(client, db, url)
    grow(db, agency_id, appraiser_id, 20)
    large = queries_for(client, db, url)
    assert small == large, (small, large)
