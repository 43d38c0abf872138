"""Rosters follow assignments (issue 22, item 3): after a transfer, retirement or deactivation the old agency's
roster no longer binds the person, its admin is told and the audit trail says so, and the roster of the agency
they serve on the day is the one "Jadwal saya" and check-in read."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kinerja.admin import staffing
from kinerja.admin.staffing import TransferInput
from kinerja.models import AuditEntry, CapReason, Notification, Roster, RosterEntry, WorkMode
from kinerja.roster import caps, queries, services
from tests.factories import OfficeFactory, freeze_now
from tests.test_attendance import north, photo

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = date(2026, 11, 16)  # two working weeks, 16–27 November 2026
MOVED = date(2026, 11, 23)  # the transfer's first day, a Monday
TODAY = date(2026, 11, 25)  # a Wednesday after it
OFFICE_B = (-6.8841, 107.5413)
WFO, WFH = WorkMode.WFO, WorkMode.WFH


def roster_of(org, agency, mode_of_staff_a_today: WorkMode | None = None) -> Roster:
    """A 50% cap and a published two-week roster of the agency (staff A's mode today set while a draft)."""
    caps.set_cap(org.bkd_admin, agency, percent=None, valid_from=date(2026, 1, 1), valid_to=None,
                 reason_kind=CapReason.PPKM_3, reason="")
    roster = services.generate_roster(org.bkd_admin, agency, MONDAY, MONDAY + timedelta(days=11))
    if mode_of_staff_a_today is not None:
        services.set_entry(org.bkd_admin, roster, org.staff_a.id, TODAY, mode_of_staff_a_today)
    services.publish(org.bkd_admin, roster)
    return roster


@pytest.fixture()
def rosters(org, db, monkeypatch):
    """Agency A schedules staff A in the office today; agency B has its own roster; B has an office."""
    OfficeFactory(agency=org.agency_b, name="Kantor Dinas B", latitude=OFFICE_B[0], longitude=OFFICE_B[1],
                  radius_m=100)
    freeze_now(monkeypatch, datetime(2026, 11, 25, 7, 15, tzinfo=WIB))
    return roster_of(org, org.agency_a, WFO), roster_of(org, org.agency_b)


def transfer_to_b(client, auth, org) -> None:
    auth.login("admin.bkd")
    response = client.post(f"/admin/pegawai/{org.staff_a.id}/mutasi", data={
        "agency_id": org.agency_b.id, "effective_date": MOVED.isoformat(),
        "unit_id": org.staff_b.assignments[0].unit_id, "position_id": org.staff_a.assignments[0].position_id,
        "appraiser_number": org.head_b.id_number, "decree_number": "821/77/BKPSDM/2026"})
    assert response.status_code == 302, response.get_data(as_text=True)
    auth.logout()


def days_of(db, roster: Roster, employee) -> dict[date, WorkMode]:
    return dict(db.session.execute(select(RosterEntry.day, RosterEntry.mode).where(
        RosterEntry.roster_id == roster.id, RosterEntry.employee_id == employee.id)).all())


def staff_row(page: str, employee) -> str:
    return re.search(rf'<tr id="pegawai-{employee.id}">.*?</tr>', page, re.S).group(0)


def test_a_transfer_moves_the_schedule_to_the_new_agency_through_the_pages(client, auth, org, rosters, db):
    roster_a, roster_b = rosters
    transfer_to_b(client, auth, org)
    db.session.expire_all()

    # Agency A's roster keeps only the days before the transfer; B's takes over from it, under B's cap.
    assert set(days_of(db, roster_a, org.staff_a)) == {MONDAY + timedelta(days=i) for i in range(5)}
    in_b = days_of(db, roster_b, org.staff_a)
    assert set(in_b) == {MOVED + timedelta(days=i) for i in range(5)}
    for day in in_b:
        count = queries.roster_grid(roster_b).counts[day]
        assert count.wfo <= count.capacity and count.headcount == 3

    # Jadwal saya lists B's days from today.
    auth.login(org.staff_a.id_number)
    schedule = client.get("/presensi/jadwal-saya").get_data(as_text=True)
    shown = re.findall(r'<span class="badge [^"]*">([^<]+)</span>\s*</li>', schedule)
    assert shown == [str(in_b[TODAY + timedelta(days=i)].label) for i in range(3)]

    # Check-in follows B's roster: set B's today to WFH, then checking in from home is accepted.
    services.set_entry(org.bkd_admin, roster_b, org.staff_a.id, TODAY, WFH)
    page = client.get("/presensi/").get_data(as_text=True)
    assert "Jadwal piket Anda hari ini: WFH (rumah)." in page
    home = north(4000, OFFICE_B)
    response = client.post("/presensi/", content_type="multipart/form-data", data={
        "kind": "in", "mode": "WFH", "latitude": str(home[0]), "longitude": str(home[1]), "accuracy": "12",
        "device_id": "browser-id-0001", "assignment_letter": "", "selfie": (io.BytesIO(photo()), "swafoto.jpg")})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Jadwal Anda hari ini WFO" not in client.get("/presensi/").get_data(as_text=True)
    auth.logout()

    # Agency A's grid no longer counts staff A after the date; its admin was told, and the audit says so.
    auth.login("admin.a")
    grid = client.get(f"/opd/{org.agency_a.id}/jadwal/{roster_a.id}").get_data(as_text=True)
    assert staff_row(grid, org.staff_a).count('name="cell"') == 5  # the first week only
    counts = queries.roster_grid(roster_a).counts
    assert all(counts[MOVED + timedelta(days=i)].headcount == 5 for i in range(5))
    assert all(counts[MONDAY + timedelta(days=i)].headcount == 6 for i in range(5))
    notices = client.get("/notifikasi").get_data(as_text=True)
    assert "Staf A tidak lagi bertugas di OPD ini mulai 23-11-2026: 5 hari dikeluarkan dari jadwal piket " \
           "16-11-2026 – 27-11-2026." in notices
    assert client.get(f"/admin/pegawai/{org.staff_a.id}").status_code == 404
    released = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "release_roster_days"))
    assert (released.object_id, released.agency_id, released.from_state) == (roster_a.id, org.agency_a.id, "5")
    assert "Staf A" in released.reason and "23-11-2026 – 27-11-2026" in released.reason
    admitted = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "admit_roster_days"))
    assert (admitted.object_id, admitted.agency_id) == (roster_b.id, org.agency_b.id)


def test_the_old_roster_s_wfo_day_no_longer_refuses_working_from_home(client, auth, org, rosters, db):
    """Before: "Jadwal Anda hari ini WFO…" from A's roster while the office sought was B's."""
    roster_a, roster_b = rosters
    transfer_to_b(client, auth, org)
    services.set_entry(org.bkd_admin, roster_b, org.staff_a.id, TODAY, WFH)
    assert queries.scheduled_mode(org.staff_a.id, TODAY) is WFH
    assert (org.staff_a.id, TODAY) not in {(e.employee_id, e.day) for e in roster_a.entries}


def test_entries_left_behind_by_older_transfers_bind_nobody(org, rosters, db):
    """Rosters written before this rule may still hold days after a transfer: reads skip them."""
    roster_a, roster_b = rosters
    staffing.transfer(org.bkd_admin, org.staff_a, TransferInput(
        effective_date=MOVED, agency_id=org.agency_b.id, unit_id=org.staff_b.assignments[0].unit_id,
        position_id=org.staff_a.assignments[0].position_id, appraiser_number=org.head_b.id_number), TODAY)
    db.session.add(RosterEntry(roster_id=roster_a.id, employee_id=org.staff_a.id, day=date(2026, 11, 26), mode=WFO))
    db.session.commit()
    assert queries.my_schedule(org.staff_a.id, date(2026, 11, 26), days=1) == \
        [(date(2026, 11, 26), days_of(db, roster_b, org.staff_a)[date(2026, 11, 26)])]
    grid = queries.roster_grid(roster_a)
    assert grid.counts[date(2026, 11, 26)].headcount == 5


@pytest.mark.parametrize("reason", ["pensiun", "diberhentikan"])
def test_retirement_or_dismissal_takes_the_later_days_out_of_the_roster(client, auth, org, rosters, db, reason):
    roster_a, _roster_b = rosters
    auth.login("admin.a")
    response = client.post(f"/admin/pegawai/{org.staff_a.id}/berhenti", data={
        "retire_date": TODAY.isoformat(), "reason": reason, "retire_decree_number": "800/9/2026"})
    assert response.status_code == 302
    db.session.expire_all()
    assert max(days_of(db, roster_a, org.staff_a)) == TODAY - timedelta(days=1)
    assert queries.scheduled_mode(org.staff_a.id, TODAY) is None
    grid = client.get(f"/opd/{org.agency_a.id}/jadwal/{roster_a.id}").get_data(as_text=True)
    assert staff_row(grid, org.staff_a).count('name="cell"') == 7  # 16–24 November
    assert "Staf A tidak lagi bertugas di OPD ini mulai 25-11-2026: 3 hari dikeluarkan" in \
        client.get("/notifikasi").get_data(as_text=True)
    released = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "release_roster_days"))
    assert released.agency_id == org.agency_a.id and released.from_state == "3"


def test_a_move_within_the_agency_keeps_the_roster(org, rosters, db):
    roster_a, _roster_b = rosters
    before = days_of(db, roster_a, org.staff_a)
    staffing.transfer(org.agency_admin_a, org.staff_a, TransferInput(
        effective_date=MOVED, agency_id=org.agency_a.id, unit_id=org.other_staff_a.assignments[0].unit_id,
        position_id=org.staff_a.assignments[0].position_id, appraiser_number=org.other_appraiser_a.id_number),
        TODAY)
    assert days_of(db, roster_a, org.staff_a) == before
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action.in_(
        ["release_roster_days", "admit_roster_days"]))) is None
    assert db.session.scalar(select(Notification.id).where(Notification.kind == "roster_left")) is None


def test_a_staff_import_that_moves_someone_to_another_agency_moves_their_schedule(org, rosters, db):
    from kinerja.admin import staff_import
    from tests.factories import PositionFactory
    from tests.test_staff_import import POSITION, row, xlsx

    roster_a, roster_b = rosters
    PositionFactory(name=POSITION)
    db.session.commit()
    rows = [row(1, NIP=org.staff_a.id_number, Nama="Staf A", OPD="B", **{
        "Gelar belakang": "", "Unit kerja": org.staff_b.assignments[0].unit.name,
        "NIP atasan": org.head_b.id_number, "Email": None, "No HP": None})]
    staff_import.import_staff(org.bkd_admin, xlsx(rows), MOVED, "mutasi.xlsx", keep_passwords=lambda content: "x")
    db.session.expire_all()
    assert set(days_of(db, roster_a, org.staff_a)) == {MONDAY + timedelta(days=i) for i in range(5)}
    assert set(days_of(db, roster_b, org.staff_a)) == {MOVED + timedelta(days=i) for i in range(5)}
    released = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "release_roster_days"))
    assert released.object_id == roster_a.id and released.agency_id == org.agency_a.id
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "roster_left")).all()
    assert told == [org.agency_admin_a.id]
