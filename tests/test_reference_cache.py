"""Reference data kept between requests (kinerja.reference): read once while unchanged, and a change made by
another process is seen from the next request on, because the change renews the stamp every request reads."""

from __future__ import annotations

from datetime import time

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from kinerja import reference
from kinerja.models import (
    AttendanceKind,
    AttendanceSession,
    HolidayEntry,
    HolidayKind,
    MonthLock,
    OutputUnit,
    ReferenceStamp,
    RegencySetting,
)
from tests.factories import FIXED_NOW, activity_form, freeze_now
from tests.querycount import count_queries

DAY = FIXED_NOW.date()
REFERENCE_TABLES = ("regency_setting", "holiday_entry", "output_unit")


def reference_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")
            and any(f"FROM {table}" in s for table in REFERENCE_TABLES)]


def day_page(client) -> str:
    response = client.get(f"/kegiatan/{DAY:%Y-%m-%d}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def stamp(db) -> str:
    return db.session.scalar(select(ReferenceStamp.stamp).where(ReferenceStamp.id == 1))


def another_process(db) -> Session:
    """A session of its own on its own connection, as a second gunicorn worker or a job worker would have (the
    test's own session lets go of its transaction first: on SQLite it may hold the write lock)."""
    db.session.commit()
    return Session(bind=db.engine)


def test_the_day_page_reads_settings_days_off_and_units_once_while_unchanged(client, auth, org, db, monkeypatch):
    freeze_now(monkeypatch)
    auth.login(org.staff_a.id_number)
    db.session.add(OutputUnit(name="lembar", active=True))
    db.session.commit()
    with count_queries() as first:
        day_page(client)
    with count_queries(cold=False) as second:
        day_page(client)

    assert reference_reads(first), "the first request reads the reference tables"
    assert reference_reads(second) == []
    assert len(second) <= len(first) - len(reference_reads(first))


def test_a_change_by_another_process_is_seen_on_the_next_request(client, auth, org, db, monkeypatch):
    freeze_now(monkeypatch)
    auth.login(org.staff_a.id_number)
    with another_process(db) as other:
        other.add(OutputUnit(name="lembar", active=True))
        other.commit()
    assert '<option value="lembar">' in day_page(client)
    before = stamp(db)

    with another_process(db) as other:  # BKD renames the unit and declares the day a regional holiday
        other.execute(update(OutputUnit).where(OutputUnit.name == "lembar").values(name="eksemplar"))
        other.add(HolidayEntry(day=DAY, name="Hari Jadi Kabupaten", kind=HolidayKind.REGIONAL, is_day_off=True))
        other.commit()
    db.session.expire_all()

    assert stamp(db) != before
    page = day_page(client)
    assert '<option value="eksemplar">' in page and '<option value="lembar">' not in page
    assert "Hari Jadi Kabupaten" in page


def test_a_setting_changed_elsewhere_applies_at_once(client, auth, org, db, monkeypatch):
    """MAX_HOURS_PER_DAY lowered by BKD in another process: this process's next save is held to it."""
    freeze_now(monkeypatch)
    auth.login(org.staff_a.id_number)
    day_page(client)  # the settings are now kept under the current stamp
    with another_process(db) as other:
        other.execute(insert(RegencySetting).values(name="MAX_HOURS_PER_DAY", value="1"))
        other.commit()

    response = client.post(f"/kegiatan/{DAY:%Y-%m-%d}", data=activity_form("07:00", "09:00"))

    assert response.status_code == 200
    assert "paling banyak 1 jam" in response.get_data(as_text=True)


def test_nothing_is_kept_without_a_stamp(client, auth, org, db, monkeypatch):
    freeze_now(monkeypatch)
    auth.login(org.staff_a.id_number)
    day_page(client)
    with another_process(db) as other:
        other.execute(delete(ReferenceStamp))
        other.commit()
    with count_queries() as first:
        day_page(client)
    with count_queries(cold=False) as second:
        day_page(client)
    assert reference_reads(first) and len(reference_reads(second)) == len(reference_reads(first))


def test_statements_on_the_watched_tables_renew_the_stamp(db):
    reference.renew_stamp(db.session)
    db.session.commit()
    seen = {stamp(db)}
    for statement in (insert(OutputUnit).values(name="map", active=True),
                      update(OutputUnit).values(active=False),
                      delete(OutputUnit)):
        db.session.execute(statement)
        db.session.commit()
        seen.add(stamp(db))
    db.session.add(RegencySetting(name="BACKDATE_WORKING_DAYS", value="3"))
    db.session.commit()
    seen.add(stamp(db))
    assert len(seen) == 5


def test_a_month_locked_by_bkd_elsewhere_is_closed_on_the_next_request(client, auth, org, db, monkeypatch):
    freeze_now(monkeypatch)
    auth.login(org.staff_a.id_number)
    assert "ditutup oleh BKD" not in day_page(client)  # the month's (absent) lock is now kept
    agency_id = org.agency_a.id
    with another_process(db) as other:
        other.add(MonthLock(agency_id=agency_id, year=DAY.year, month=DAY.month, locked=True,
                            reason="Rekap TPP"))
        other.commit()

    assert "ditutup oleh BKD" in day_page(client)
    refused = client.post(f"/kegiatan/{DAY:%Y-%m-%d}", data=activity_form("07:00", "08:00"))
    assert refused.status_code == 200 and "ditutup oleh BKD" in refused.get_data(as_text=True)


def attendance_page(client) -> str:
    response = client.get("/presensi/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_attendance_sessions_are_kept_and_a_new_one_shows_on_the_next_request(client, auth, org, db, monkeypatch):
    """The attendance page lists the day's sessions on every view: read once while unchanged, and a session BKD
    adds or ends in another process shows (or goes) from the next request on."""
    freeze_now(monkeypatch)  # Wednesday 18 November 2026, 16.00 WIB
    auth.login(org.staff_a.id_number)
    assert 'id="sesi-apl"' not in attendance_page(client)
    with count_queries(cold=False) as warm:
        attendance_page(client)
    assert not [s for s in warm if "FROM attendance_session" in s]

    with another_process(db) as other:
        other.add(AttendanceSession(kind=AttendanceKind.APEL, opens=time(7, 0), closes=time(7, 30),
                                    weekdays="12345", valid_from=DAY.replace(day=1)))
        other.commit()
    page = attendance_page(client)
    assert 'id="sesi-apl"' in page and "07.00–07.30" in page
    assert 'id="sesi-apl"' in attendance_page(client)  # kept: the same answer without reading again

    with another_process(db) as other:  # BKD ends the session the day before
        other.execute(update(AttendanceSession).values(valid_to=DAY.replace(day=17)))
        other.commit()
    assert 'id="sesi-apl"' not in attendance_page(client)
