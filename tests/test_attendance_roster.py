"""Check-in under a published office-duty roster: a WFO day refuses working from home, and the page presets the
scheduled mode."""

from __future__ import annotations

import re
from datetime import date

import pytest

from kinerja import clock
from kinerja.attendance import services as attendance
from kinerja.errors import ValidationFailed
from kinerja.models import AttendanceRecord, CapReason, Roster, RosterEntry, RosterStatus, WorkMode
from kinerja.roster import caps, services
from tests.factories import OfficeFactory, freeze_now
from tests.test_attendance import MONDAY, OFFICE, data, north

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments

DAY = MONDAY.date()
HOME = north(5000)


@pytest.fixture()
def staff(org, db, monkeypatch):
    OfficeFactory(agency=org.agency_a, latitude=OFFICE[0], longitude=OFFICE[1], radius_m=100)
    caps.set_cap(org.agency_admin_a, org.agency_a, percent=None, valid_from=DAY, valid_to=None,
                 reason_kind=CapReason.ZONE_MEDIUM, reason="")
    freeze_now(monkeypatch, MONDAY)
    return org.user(org.staff_a)


def scheduled(org, mode: WorkMode, publish: bool = True) -> Roster:
    """A roster of the week with staff A's Monday set to `mode`, published unless told otherwise."""
    roster = services.generate_roster(org.agency_admin_a, org.agency_a, DAY, date(2026, 11, 20))
    services.set_entry(org.agency_admin_a, roster, org.staff_a.id, DAY, mode)
    if publish:
        services.publish(org.agency_admin_a, roster)
    return roster


def test_working_from_home_on_a_wfo_day_is_refused(org, staff):
    scheduled(org, WorkMode.WFO)
    with pytest.raises(ValidationFailed) as refused:
        attendance.check_in(staff, data(HOME, mode=WorkMode.WFH))
    assert refused.value.message.startswith("Jadwal Anda hari ini WFO: presensi harus dari kantor")
    assert refused.value.field == "mode"
    assert attendance.check_in(staff, data(north(30), mode=WorkMode.WFO)).mode is WorkMode.WFO


def test_official_travel_stays_allowed_on_a_wfo_day(org, staff):
    scheduled(org, WorkMode.WFO)
    record = attendance.check_in(staff, data(HOME, mode=WorkMode.DL, assignment_letter="800/12/Disdik"))
    assert (record.mode, record.assignment_letter) == (WorkMode.DL, "800/12/Disdik")


@pytest.mark.parametrize(("mode", "position"), [(WorkMode.WFH, HOME), (WorkMode.WFO, north(30))])
def test_a_wfh_day_allows_home_and_office(org, staff, mode, position):
    scheduled(org, WorkMode.WFH)
    assert attendance.check_in(staff, data(position, mode=mode)).mode is mode


@pytest.mark.parametrize("publish", [False, None])
def test_without_a_published_roster_check_in_is_unchanged(org, staff, publish):
    if publish is not None:
        scheduled(org, WorkMode.WFO, publish=False)
    assert attendance.check_in(staff, data(HOME, mode=WorkMode.WFH)).mode is WorkMode.WFH


def test_check_out_from_home_after_an_office_check_in_is_not_refused(org, staff, db):
    scheduled(org, WorkMode.WFO)
    attendance.check_in(staff, data(north(30), mode=WorkMode.WFO))
    assert attendance.check_out(staff, data(HOME, mode=WorkMode.WFH)).mode is WorkMode.WFH
    assert db.session.query(AttendanceRecord).count() == 2


def published_today(org, db, mode: WorkMode) -> None:
    """A published roster with staff A's mode today (the page reads the real clock)."""
    today = clock.today()
    roster = Roster(agency_id=org.agency_a.id, start_date=today, end_date=today, status=RosterStatus.PUBLISHED)
    roster.entries.append(RosterEntry(employee_id=org.staff_a.id, day=today, mode=mode))
    db.session.add(roster)
    db.session.commit()


def selected_mode(page: str) -> str | None:
    match = re.search(r'<option selected value="(\w+)"|<option value="(\w+)" selected', page)
    return match and (match.group(1) or match.group(2))


@pytest.mark.parametrize("mode", [WorkMode.WFH, WorkMode.WFO])
def test_the_page_presets_and_shows_the_scheduled_mode(org, db, client, auth, mode):
    published_today(org, db, mode)
    auth.login(org.staff_a.id_number)
    page = client.get("/presensi/").get_data(as_text=True)
    assert selected_mode(page) == mode.value
    assert f"Jadwal piket Anda hari ini: {mode.label}." in page


def test_the_page_without_a_roster_keeps_the_office_default(org, db, client, auth):
    auth.login(org.staff_a.id_number)
    page = client.get("/presensi/").get_data(as_text=True)
    assert selected_mode(page) == "WFO" and "Jadwal piket Anda" not in page
