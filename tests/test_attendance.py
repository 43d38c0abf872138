"""Attendance: distances, the check-in rules, working hours, selfies and who sees them, flags, review, retention."""

from __future__ import annotations

import io
import os
import random
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from kinerja import PROJECT_DIR, clock
from kinerja.attendance import geo, hours, selfie, services
from kinerja.attendance.services import CheckInput
from kinerja.errors import Conflict, ValidationFailed
from kinerja.models import (
    AttendanceFlag,
    AttendanceKind,
    AttendanceRecord,
    AuditEntry,
    FlagKind,
    FlagStatus,
    Role,
    WorkMode,
)
from tests.factories import LeaveFactory, OfficeFactory, UserFactory, freeze_now

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = datetime(2026, 11, 16, 7, 20, tzinfo=WIB)
# Cimahi city hall, inside the default REGENCY_BBOX. Six significant digits: Office's FLOAT columns come back
# rounded to that on MariaDB.
OFFICE = (-6.8722, 107.542)
METRE = 1 / 111_194.93  # degrees of latitude per metre on the haversine sphere


def north(metres: float, origin=OFFICE) -> tuple[float, float]:
    return origin[0] + metres * METRE, origin[1]


def photo(seed: int = 1, exif: Image.Exif | None = None) -> bytes:
    """A distinct picture per seed (random pixels), as a JPEG."""
    image = Image.frombytes("RGB", (320, 240), random.Random(seed).randbytes(320 * 240 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


def upload(seed: int = 1, content: bytes | None = None) -> FileStorage:
    return FileStorage(io.BytesIO(content or photo(seed)), filename="swafoto.jpg", content_type="image/jpeg")


def data(position=OFFICE, mode=WorkMode.WFO, accuracy=12.0, seed=1, kind=AttendanceKind.IN, **fields):
    return CheckInput(kind=kind, mode=mode, latitude=position[0], longitude=position[1], accuracy_m=accuracy,
                      selfie=upload(seed), device_id=fields.pop("device_id", "device-of-staff-a"),
                      user_agent="Mozilla/5.0 (Linux; Android 14)", **fields)


@pytest.fixture()
def office(org, db):
    made = OfficeFactory(agency=org.agency_a, name="Kantor Dinas A", latitude=OFFICE[0], longitude=OFFICE[1],
                         radius_m=100)
    db.session.commit()
    return made


@pytest.fixture()
def staff(org, office, monkeypatch):
    freeze_now(monkeypatch, MONDAY)
    return org.user(org.staff_a)


def stored(employee, day: date, kind=AttendanceKind.IN, position=OFFICE, at: datetime | None = None, **fields):
    """An earlier record written directly, as if checked in on that day."""
    from kinerja.extensions import db

    record = AttendanceRecord(
        employee_id=employee.id, agency_id=fields.pop("agency_id"), day=day, kind=kind,
        at=at or datetime.combine(day, MONDAY.timetz()).astimezone(UTC), mode=fields.pop("mode", WorkMode.WFO),
        latitude=position[0], longitude=position[1], accuracy_m=fields.pop("accuracy_m", 10.0), **fields)
    db.session.add(record)
    db.session.commit()
    return record


def flag_kinds(record: AttendanceRecord) -> set[FlagKind]:
    return {flag.kind for flag in record.flags}


def selfie_files() -> set[str]:
    return {path.name for path in selfie.root().iterdir()} if selfie.root().is_dir() else set()


# --- distances -----------------------------------------------------------------------------------------------

def test_monas_to_bundaran_hi_matches_the_ellipsoid_within_one_percent():
    vincenty = 2216.6  # WGS 84 geodesic distance (Vincenty) between the two points
    assert geo.distance_m(-6.175392, 106.827153, -6.195000, 106.823000) == pytest.approx(vincenty, rel=0.01)


def test_the_distance_from_a_point_to_itself_is_zero():
    assert geo.distance_m(*OFFICE, *OFFICE) == 0


@pytest.mark.parametrize(("metres", "inside"), [(0, True), (99, True), (101, False), (350, False)])
def test_radius_edges(metres, inside):
    office = OfficeFactory.build(latitude=OFFICE[0], longitude=OFFICE[1], radius_m=100)
    nearest = geo.nearest_office(*north(metres), [office])
    assert nearest.distance_m == pytest.approx(metres, abs=0.01)
    assert nearest.within_radius is inside


def test_nearest_office_prefers_one_whose_radius_covers_the_position():
    small = OfficeFactory.build(name="dekat", latitude=north(40)[0], longitude=OFFICE[1], radius_m=20)
    large = OfficeFactory.build(name="luas", latitude=OFFICE[0], longitude=OFFICE[1], radius_m=300)
    assert geo.nearest_office(*north(70), [small, large]).office.name == "luas"
    assert geo.nearest_office(*north(70), []) is None


# --- check-in rules ------------------------------------------------------------------------------------------

def test_wfo_inside_the_radius_is_recorded_with_office_and_distance(staff, office, db):
    record = services.check_in(staff, data(north(60)))
    assert (record.kind, record.mode, record.office_id, record.within_radius) == (
        AttendanceKind.IN, WorkMode.WFO, office.id, True)
    assert record.distance_m == pytest.approx(60, abs=0.5)
    assert record.at == MONDAY.astimezone(UTC) and record.day == MONDAY.date()
    assert record.late_minutes == 0 and record.off_day is False


def test_wfo_outside_the_radius_is_refused_with_the_distance(staff, db):
    before = selfie_files()
    with pytest.raises(ValidationFailed) as refused:
        services.check_in(staff, data(north(350)))
    assert "Anda berada 350 m dari kantor terdekat" in refused.value.message
    assert "radius 100 m" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(AttendanceRecord.id)) is None and selfie_files() == before


@pytest.mark.parametrize(("accuracy", "accepted"), [(100, True), (100.5, False), (800, False)])
def test_accuracy_worse_than_the_limit_is_refused_with_advice(staff, accuracy, accepted):
    if accepted:
        assert services.check_in(staff, data(accuracy=accuracy)).accuracy_m == accuracy
        return
    with pytest.raises(ValidationFailed) as refused:
        services.check_in(staff, data(accuracy=accuracy))
    assert "luar ruangan" in refused.value.message and refused.value.field == "accuracy"


def test_a_missing_position_is_refused(staff):
    with pytest.raises(ValidationFailed, match="Lokasi belum diketahui"):
        services.check_in(staff, data(position=(None, None)))


@pytest.mark.parametrize("mode", [WorkMode.WFH, WorkMode.DL])
def test_wfh_and_dl_record_the_position_anywhere(staff, office, mode):
    home = (-6.8901, 107.5500)  # about 2 km south-east of the office
    record = services.check_in(staff, data(home, mode=mode, assignment_letter="800/12/Disdukcapil"))
    assert (record.latitude, record.longitude, record.mode) == (*home, mode)
    assert record.office_id == office.id and record.within_radius is False and record.distance_m > 1500
    assert record.assignment_letter == ("800/12/Disdukcapil" if mode is WorkMode.DL else None)


def test_dl_needs_the_assignment_letter(staff):
    with pytest.raises(ValidationFailed) as refused:
        services.check_in(staff, data(mode=WorkMode.DL, assignment_letter="  "))
    assert refused.value.field == "assignment_letter"


def test_one_check_in_per_day(staff, db):
    services.check_in(staff, data())
    with pytest.raises(Conflict, match=r"sudah presensi masuk hari ini pukul 07\.20"):
        services.check_in(staff, data(seed=2))
    db.session.rollback()
    assert db.session.query(AttendanceRecord).count() == 1


def test_a_racing_duplicate_meets_the_unique_constraint_and_a_clear_message(staff, org, db, monkeypatch):
    stored(org.staff_a, MONDAY.date(), agency_id=org.agency_a.id)  # committed by the other request meanwhile
    monkeypatch.setattr(services, "record_of", lambda *args: None)  # our own check saw nothing yet
    before = selfie_files()
    with pytest.raises(Conflict, match="sudah presensi masuk hari ini"):
        services.check_in(staff, data())
    assert selfie_files() == before  # the photo written for the losing request is gone
    assert db.session.query(AttendanceRecord).count() == 1


def test_check_out_needs_a_check_in_that_day(staff):
    with pytest.raises(ValidationFailed, match="memerlukan presensi masuk"):
        services.check_out(staff, data(kind=AttendanceKind.OUT))


def test_check_out_after_check_in_records_early_minutes(staff, monkeypatch):
    services.check_in(staff, data())
    freeze_now(monkeypatch, MONDAY.replace(hour=15, minute=45))
    record = services.check_out(staff, data(seed=2))
    assert (record.kind, record.early_minutes, record.late_minutes) == (AttendanceKind.OUT, 15, 0)
    with pytest.raises(Conflict, match="sudah presensi pulang"):
        services.check_out(staff, data(seed=3))


def test_no_check_in_on_a_day_of_leave(staff, org, db):
    LeaveFactory(employee_id=org.staff_a.id, start_date=date(2026, 11, 16), end_date=date(2026, 11, 17))
    db.session.commit()
    with pytest.raises(ValidationFailed, match="tercatat cuti hari ini"):
        services.check_in(staff, data(mode=WorkMode.WFH))


def test_weekends_are_allowed_and_noted(staff, monkeypatch):
    freeze_now(monkeypatch, datetime(2026, 11, 21, 9, 0, tzinfo=WIB))  # a Saturday
    record = services.check_in(staff, data())
    assert record.off_day is True and record.late_minutes == 0


# --- working hours -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "start", "end"), [
    (date(2026, 11, 16), "07:30", "16:00"),  # Monday: 7 h 30 min + 60 min break
    (date(2026, 11, 20), "07:30", "16:30"),  # Friday: 90 min break
    (date(2026, 3, 2), "08:00", "15:00"),  # Monday in Ramadan: 6 h 30 min + 30 min break
    (date(2026, 3, 6), "08:00", "15:30"),  # Friday in Ramadan
])
def test_working_hours_follow_perpres_21_2023(app, day, start, end, monkeypatch):
    monkeypatch.setitem(app.config, "RAMADAN_START", "2026-02-18")
    monkeypatch.setitem(app.config, "RAMADAN_END", "2026-03-19")
    with app.app_context():
        working = hours.working_hours(day)
    assert (working.start.strftime("%H:%M"), working.end.strftime("%H:%M")) == (start, end)


@pytest.mark.parametrize(("moment", "kind", "late", "early"), [
    (datetime(2026, 11, 16, 8, 0, 59, tzinfo=WIB), AttendanceKind.IN, 30, 0),
    (datetime(2026, 11, 16, 16, 0, tzinfo=WIB), AttendanceKind.OUT, 0, 0),
    (datetime(2026, 11, 20, 16, 0, tzinfo=WIB), AttendanceKind.OUT, 0, 30),  # Friday ends 16:30
    (datetime(2026, 3, 2, 8, 10, tzinfo=WIB), AttendanceKind.IN, 10, 0),  # Ramadan starts 08:00
    (datetime(2026, 3, 2, 14, 30, tzinfo=WIB), AttendanceKind.OUT, 0, 30),  # Ramadan ends 15:00
])
def test_late_and_early_minutes(staff, org, app, monkeypatch, moment, kind, late, early):
    monkeypatch.setitem(app.config, "RAMADAN_START", "2026-02-18")
    monkeypatch.setitem(app.config, "RAMADAN_END", "2026-03-19")
    if kind is AttendanceKind.OUT:
        stored(org.staff_a, moment.date(), agency_id=org.agency_a.id, position=(0.0, 0.0))
    freeze_now(monkeypatch, moment)
    record = services.check(staff, data(kind=kind))
    assert (record.late_minutes, record.early_minutes) == (late, early)


def test_check_ins_in_ramadan_follow_its_hours_with_no_dates_set(staff, org, app, monkeypatch):
    """No RAMADAN_START/RAMADAN_END anywhere: 2 March 2026 is in Ramadan 1447 by the Hijri calendar."""
    assert not app.config.get("RAMADAN_START") and not app.config.get("RAMADAN_END")
    freeze_now(monkeypatch, datetime(2026, 3, 2, 8, 10, tzinfo=WIB))
    assert services.check(staff, data()).late_minutes == 10  # from 08:00, not 40 minutes from 07:30
    freeze_now(monkeypatch, datetime(2026, 3, 30, 8, 10, tzinfo=WIB))  # a Monday after Ramadan and Lebaran
    assert services.check(staff, data()).late_minutes == 40


# --- selfies -------------------------------------------------------------------------------------------------

def test_the_stored_selfie_has_no_exif(staff):
    exif = Image.Exif()
    exif[0x010F] = "KameraPalsu"  # Make
    exif[0x0132] = "2026:11:16 07:00:00"  # DateTime
    content = photo(exif=exif)
    assert b"KameraPalsu" in content
    record = services.check_in(staff, CheckInput(
        kind=AttendanceKind.IN, mode=WorkMode.WFO, latitude=OFFICE[0], longitude=OFFICE[1], accuracy_m=10,
        selfie=upload(content=content)))
    path = selfie.path_of(record.selfie_name)
    assert path.parent.name == "selfies" and "static" not in path.parts
    stored_bytes = path.read_bytes()
    assert b"KameraPalsu" not in stored_bytes and b"Exif" not in stored_bytes
    with Image.open(path) as image:
        assert image.format == "JPEG" and not image.getexif()


@pytest.mark.parametrize(("content", "message"), [
    (b"%PDF-1.4 not a photo", "tidak dapat dibaca"),
    (b"", "Ambil swafoto"),
])
def test_a_selfie_that_is_not_a_photo_is_refused(staff, content, message):
    given = FileStorage(io.BytesIO(content), filename="x.jpg" if content else "")
    with pytest.raises(ValidationFailed, match=message) as refused:
        services.check_in(staff, CheckInput(kind=AttendanceKind.IN, mode=WorkMode.WFO, latitude=OFFICE[0],
                                            longitude=OFFICE[1], accuracy_m=10, selfie=given))
    assert refused.value.field == "selfie"


def test_a_selfie_over_the_size_limit_is_refused(staff, app, monkeypatch):
    monkeypatch.setitem(app.config, "SELFIE_MAX_BYTES", 10_000)
    with pytest.raises(ValidationFailed, match="lebih dari"):
        services.check_in(staff, data())


@pytest.fixture()
def checked_in(staff, org):
    record = services.check_in(staff, data())
    return record.id


def other_agency_admin(org):
    UserFactory(username="admin.b", roles=[(Role.AGENCY_ADMIN, org.agency_b)])


@pytest.mark.parametrize(("who", "status"), [
    ("staff_a", 200), ("appraiser_a", 200), ("admin.a", 200), ("admin.bkd", 200),
    ("other_appraiser_a", 404), ("staff_a2", 404), ("head_b", 404), ("admin.b", 404),
])
def test_who_sees_a_selfie(client, auth, org, db, checked_in, who, status):
    other_agency_admin(org)
    db.session.commit()
    auth.login(getattr(org, who).id_number if hasattr(org, who) else who)
    response = client.get(f"/presensi/swafoto/{checked_in}")
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "image/jpeg"
        assert response.headers["Content-Security-Policy"] == (
            "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_signed_out_visitors_do_not_get_a_selfie(client, checked_in):
    assert client.get(f"/presensi/swafoto/{checked_in}").status_code == 302


# --- flags ---------------------------------------------------------------------------------------------------

def test_same_coordinates_on_three_days_are_flagged(staff, org):
    for day in (date(2026, 11, 12), date(2026, 11, 13)):
        stored(org.staff_a, day, agency_id=org.agency_a.id, position=north(20.0))
    assert FlagKind.SAME_COORDINATES in flag_kinds(services.check_in(staff, data(north(20.3))))


def test_coordinates_that_wander_by_metres_are_not_flagged(staff, org):
    for day, metres in ((date(2026, 11, 12), 14.0), (date(2026, 11, 13), 26.0)):
        stored(org.staff_a, day, agency_id=org.agency_a.id, position=north(metres))
    assert FlagKind.SAME_COORDINATES not in flag_kinds(services.check_in(staff, data(north(20.0))))


@pytest.mark.parametrize(("accuracy", "flagged"), [(0, True), (0.5, True), (1, False), (15, False)])
def test_zero_or_sub_metre_accuracy_is_flagged(staff, accuracy, flagged):
    record = services.check_in(staff, data(accuracy=accuracy))
    assert (FlagKind.EXACT_ACCURACY in flag_kinds(record)) is flagged


@pytest.mark.parametrize(("km", "flagged"), [(150, True), (10, False)])
def test_impossible_travel_speed_is_flagged(staff, org, km, flagged):
    yesterday = MONDAY - timedelta(minutes=30)  # the previous record, half an hour earlier
    stored(org.staff_a, date(2026, 11, 15), kind=AttendanceKind.OUT, agency_id=org.agency_a.id,
           position=north(km * 1000), at=yesterday.astimezone(UTC))
    record = services.check_in(staff, data())
    assert (FlagKind.IMPOSSIBLE_SPEED in flag_kinds(record)) is flagged


@pytest.mark.parametrize(("seed", "flagged"), [(7, True), (8, False)])
def test_a_near_copy_of_an_earlier_selfie_is_flagged(staff, org, seed, flagged):
    earlier = selfie.prepare(upload(7)).phash
    stored(org.staff_a, date(2026, 11, 13), agency_id=org.agency_a.id, selfie_hash=earlier, position=north(80))
    record = services.check_in(staff, data(seed=seed))
    assert (FlagKind.REPEATED_SELFIE in flag_kinds(record)) is flagged


@pytest.mark.parametrize(("device", "flagged"), [("device-of-staff-a", True), ("device-of-staff-a2", False)])
def test_one_device_for_several_people_on_a_day_is_flagged(staff, org, device, flagged):
    stored(org.staff_a2, MONDAY.date(), agency_id=org.agency_a.id, device_id=device, position=north(50))
    record = services.check_in(staff, data(device_id="device-of-staff-a"))
    assert (FlagKind.SHARED_DEVICE in flag_kinds(record)) is flagged
    if flagged:
        assert "Staf A Dua" in record.flags[0].message


@pytest.mark.parametrize(("position", "mode", "flagged"), [
    ((-6.175392, 106.827153), WorkMode.WFH, True),  # Jakarta
    ((-6.8901, 107.5500), WorkMode.WFH, False),  # Cimahi
    ((-6.175392, 106.827153), WorkMode.DL, False),  # field duty out of town is expected
])
def test_a_position_outside_the_regency_is_flagged(staff, position, mode, flagged):
    record = services.check_in(staff, data(position, mode=mode, assignment_letter="800/1"))
    assert (FlagKind.OUTSIDE_REGENCY in flag_kinds(record)) is flagged


def test_an_ordinary_check_in_raises_no_flag(staff):
    assert services.check_in(staff, data(north(30))).flags == []


# --- review --------------------------------------------------------------------------------------------------

@pytest.fixture()
def flagged(staff):
    record = services.check_in(staff, data(accuracy=0))
    return record.flags[0].id


def test_the_review_list_shows_open_flags_to_the_appraiser(client, auth, org, flagged):
    auth.login(org.appraiser_a.id_number)
    page = client.get("/presensi/tinjauan").get_data(as_text=True)
    assert "Staf A" in page and "Akurasi lokasi tidak wajar" in page
    assert "https://www.openstreetmap.org/?mlat=-6.872200&amp;mlon=107.542000#map=18/-6.872200/107.542000" in page
    assert 'target="_blank"' in page and "/presensi/swafoto/" in page


def test_another_appraiser_neither_sees_nor_decides_the_flag(client, auth, org, flagged):
    auth.login(org.other_appraiser_a.id_number)
    assert "Staf A<" not in client.get("/presensi/tinjauan").get_data(as_text=True)
    assert client.post(f"/presensi/tinjauan/{flagged}", data={"decision": "clear"}).status_code == 404


def test_staff_cannot_open_the_review_list(client, auth, org, flagged):
    auth.login(org.staff_a.id_number)
    assert client.get("/presensi/tinjauan").status_code == 403


def test_the_decision_is_recorded_with_the_audit_trail(client, auth, org, db, flagged):
    auth.login("admin.a")
    response = client.post(f"/presensi/tinjauan/{flagged}", data={"decision": "clear", "note": "GPS ponsel lama"})
    assert response.status_code == 302
    db.session.expire_all()
    flag = db.session.get(AttendanceFlag, flagged)
    assert (flag.status, flag.note, flag.decided_by_id) == (FlagStatus.CLEARED, "GPS ponsel lama",
                                                            org.agency_admin_a.id)
    assert flag.decided_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "attendance_flag"))
    assert (entry.object_id, entry.action, entry.to_state, entry.reason) == (flagged, "cleared_flag", "cleared",
                                                                             "GPS ponsel lama")
    again = client.post(f"/presensi/tinjauan/{flagged}", data={"decision": "confirm", "note": "x"},
                        follow_redirects=True)
    assert "sudah diputuskan" in again.get_data(as_text=True)


def test_confirming_needs_a_note(client, auth, org, db, flagged):
    auth.login(org.appraiser_a.id_number)
    page = client.post(f"/presensi/tinjauan/{flagged}", data={"decision": "confirm"}, follow_redirects=True)
    assert "Tuliskan catatan" in page.get_data(as_text=True)
    assert db.session.get(AttendanceFlag, flagged).status is FlagStatus.OPEN


# --- retention -----------------------------------------------------------------------------------------------

def test_purge_deletes_selfies_past_retention_but_keeps_the_record(app, staff, org, db, monkeypatch):
    now = clock.now(WIB)
    freeze_now(monkeypatch, now - timedelta(days=95))
    old = services.check_in(staff, data())
    freeze_now(monkeypatch, now)
    recent = services.check_in(staff, data(seed=2))
    waiting = services.check_in(org.user(org.staff_a2), data(accuracy=0, seed=3))  # an open flag
    waiting.at = old.at
    db.session.commit()
    stray = selfie.root() / "0123456789abcdef0123456789abcdef.jpg"
    stray.write_bytes(b"left behind")
    os.utime(stray, (old.at.timestamp(), old.at.timestamp()))
    old_path, recent_path = selfie.path_of(old.selfie_name), selfie.path_of(recent.selfie_name)

    result = app.test_cli_runner().invoke(args=["purge-selfies"])
    assert result.exit_code == 0, result.output

    db.session.expire_all()
    assert not old_path.exists() and not stray.exists() and recent_path.exists()
    assert db.session.get(AttendanceRecord, old.id).selfie_name is None
    assert db.session.get(AttendanceRecord, old.id).latitude == OFFICE[0]
    assert db.session.get(AttendanceRecord, waiting.id).selfie_name is not None


# --- the page ------------------------------------------------------------------------------------------------

def page_form(position=OFFICE, **fields) -> dict:
    return {"kind": "in", "mode": "WFO", "latitude": str(position[0]), "longitude": str(position[1]),
            "accuracy": "12", "device_id": "browser-id-0001", "assignment_letter": "",
            "selfie": (io.BytesIO(photo()), "swafoto.jpg"), **fields}


def test_the_page_checks_in_and_shows_the_status(client, auth, org, staff):
    auth.login(org.staff_a.id_number)
    page = client.get("/presensi/").get_data(as_text=True)
    assert 'capture="user"' in page and 'accept="image/*"' in page and "js/attendance.js" in page
    response = client.post("/presensi/", data=page_form(north(40)), content_type="multipart/form-data")
    assert response.status_code == 302
    shown = client.get("/presensi/").get_data(as_text=True)
    assert "Presensi masuk tercatat pukul 07.20 WIB." in shown and "dari Kantor Dinas A (radius 100 m)" in shown


def test_the_history_lists_the_months_own_records_newest_first_a_page_at_a_time(app, client, auth, org, staff,
                                                                                 office, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    tuesday, wednesday = date(2026, 11, 10), date(2026, 11, 11)
    stored(org.staff_a, tuesday, agency_id=org.agency_a.id, office_id=office.id, distance_m=35.4, late_minutes=12)
    stored(org.staff_a, tuesday, kind=AttendanceKind.OUT, at=datetime(2026, 11, 10, 9, 5, tzinfo=UTC),
           agency_id=org.agency_a.id, mode=WorkMode.DL, assignment_letter="090/17/2026", early_minutes=25)
    stored(org.staff_a, wednesday, agency_id=org.agency_a.id, mode=WorkMode.WFH, off_day=True,
           at=datetime(2026, 11, 11, 1, 2, tzinfo=UTC))
    stored(org.staff_a, date(2026, 10, 30), agency_id=org.agency_a.id)  # another month
    stored(org.staff_b, tuesday, agency_id=org.agency_b.id, assignment_letter="B-999")  # someone else's
    auth.login(org.staff_a.id_number)

    def history(page: int) -> str:
        shown = client.get(f"/presensi/?bulan=2026-11&page={page}").get_data(as_text=True)
        return shown[shown.index("Riwayat November 2026"):]

    first, second = history(1), history(2)
    assert "Rab, 11 Nov" in first and "08.02 WIB" in first and "WFH" in first and "hari libur" in first
    assert "Surat tugas 090/17/2026" in first and "16.05 WIB" in first and "pulang 25 menit lebih awal" in first
    assert first.index("Rab, 11 Nov") < first.index("16.05 WIB")  # newest first
    assert "terlambat 12 menit" not in first and re.search(r"href=\"/presensi/\?[^\"]*page=2", first)
    assert "Sel, 10 Nov" in second and "07.20 WIB" in second and "terlambat 12 menit" in second
    assert "35 m dari Kantor Dinas A (radius 100 m)" in second and "Pulang" not in second
    assert all("B-999" not in page and "30 Okt" not in page for page in (first, second))
    past_the_end = history(3)
    assert "Sel, 10 Nov" not in past_the_end and "Rab, 11 Nov" not in past_the_end


def test_the_page_refuses_outside_the_radius_with_the_distance(client, auth, org, staff):
    auth.login(org.staff_a.id_number)
    response = client.post("/presensi/", data=page_form(north(350)), content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Anda berada 350 m dari kantor terdekat" in response.get_data(as_text=True)


def test_people_without_an_employee_record_have_no_attendance_page(client, auth, org):
    auth.login("admin.bkd")
    assert client.get("/presensi/").status_code == 404


# --- field duty (DL) -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("mode", "late"), [(WorkMode.WFO, 100), (WorkMode.WFH, 100), (WorkMode.DL, 0)])
def test_field_duty_is_not_late_by_the_office_start(staff, monkeypatch, mode, late):
    freeze_now(monkeypatch, MONDAY.replace(hour=9, minute=10))
    record = services.check_in(staff, data(mode=mode, assignment_letter="800/12/Disdukcapil"))
    assert (record.late_minutes, record.early_minutes) == (late, 0)


def test_field_duty_is_not_early_by_the_office_end(staff, monkeypatch):
    freeze_now(monkeypatch, MONDAY.replace(hour=9, minute=10))
    services.check_in(staff, data(mode=WorkMode.DL, assignment_letter="800/12/Disdukcapil"))
    freeze_now(monkeypatch, MONDAY.replace(hour=14, minute=0))
    record = services.check_out(staff, data(kind=AttendanceKind.OUT, mode=WorkMode.DL, seed=2,
                                            assignment_letter="800/12/Disdukcapil"))
    assert (record.late_minutes, record.early_minutes) == (0, 0)


def test_a_late_field_duty_check_in_shows_no_lateness_on_the_pages(client, auth, org, staff, monkeypatch):
    freeze_now(monkeypatch, MONDAY.replace(hour=9, minute=10))
    auth.login(org.staff_a.id_number)
    response = client.post("/presensi/", data=page_form((-6.95, 107.60), mode="DL", assignment_letter="800/12/Dinas"),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    shown = client.get("/presensi/").get_data(as_text=True)
    assert "Surat tugas 800/12/Dinas" in shown and "terlambat" not in shown
    auth.logout()
    auth.login("admin.a")
    month = client.get(f"/presensi/opd/{org.agency_a.id}/bulan?bulan=2026-11&sort=late").get_data(as_text=True)
    row = month[month.index("Staf A<"):].split("</tr>")[0]
    assert re.findall(r'<td class="text-end[^"]*">([^<]*)', row)[:4] == ["0", "0", "1", "0"]  # WFO WFH DL late
    sheet = load_workbook(io.BytesIO(client.get(f"/presensi/opd/{org.agency_a.id}/bulan.xlsx?bulan=2026-11").data))
    mine = next(row for row in sheet.active.iter_rows(values_only=True) if row[1] == "Staf A")
    assert mine[7] == 1 and mine[9:11] == (0, 0)  # one DL day; no late day, no late minute


def test_the_migration_clears_the_lateness_stored_for_field_duty(staff, org, db):
    import importlib.util

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    field = stored(org.staff_a, MONDAY.date(), agency_id=org.agency_a.id, mode=WorkMode.DL,
                   assignment_letter="800/1", late_minutes=45, early_minutes=0)
    office = stored(org.staff_a2, MONDAY.date(), agency_id=org.agency_a.id, late_minutes=10)
    path = next((PROJECT_DIR / "migrations" / "versions").glob("*_field_duty_check_ins_are_never_late_or_early.py"))
    spec = importlib.util.spec_from_file_location("field_duty_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with db.engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        migration.upgrade()
    db.session.expire_all()
    assert db.session.get(AttendanceRecord, field.id).late_minutes == 0
    assert db.session.get(AttendanceRecord, office.id).late_minutes == 10
