"""The rules of filing daily activities, through the services and through the day form, and their lifecycle.

"Now" is frozen (tests.factories.freeze_now) so that the backdating window and month closing never depend on
the real calendar. FIXED_NOW is Wednesday 18 November 2026, 16.00 WIB: the window reaches back five working
days, across the weekend, to Wednesday 11 November; October closed after 5 November.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from kinerja.activities.services import (
    copy_day,
    create_activity,
    delete_activity,
    submit_activities,
    update_activity,
    withdraw_activity,
)
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.models import Activity, ActivityStatus, WorkMode
from tests.factories import (
    FIXED_NOW,
    WIB,
    ActivityFactory,
    BackdateGrantFactory,
    HolidayEntryFactory,
    MonthLockFactory,
    activity_count,
    activity_form,
    activity_input,
    field_error,
    freeze_now,
    hm,
)

TODAY = FIXED_NOW.date()  # Wednesday 18 November
YESTERDAY = date(2026, 11, 17)
NOV5 = datetime(2026, 11, 5, 10, 0, tzinfo=WIB)  # October's closing day: still open
NOV6 = datetime(2026, 11, 6, 10, 0, tzinfo=WIB)  # the day after: October closed
MON23 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
AUG19 = datetime(2026, 8, 19, 16, 0, tzinfo=WIB)  # two days after Independence Day (Monday 17 August)


def busy(*spans: str, who: str = "staff_a"):
    """Setup: activities already filed on the row's day, e.g. busy("08:00-09:00")."""

    def setup(org, day):
        for span in spans:
            start, end = span.split("-")
            ActivityFactory(employee=getattr(org, who), activity_date=day, start_time=hm(start), end_time=hm(end))

    return setup


def grant(valid_until: date):
    def setup(org, day):
        BackdateGrantFactory(employee_id=org.staff_a.id, date_from=day, date_to=day, valid_until=valid_until)

    return setup


def month_lock(locked: bool, agency: str = "agency_a"):
    def setup(org, day):
        MonthLockFactory(agency_id=getattr(org, agency).id, year=day.year, month=day.month, locked=locked)

    return setup


DL = {"work_mode": WorkMode.DL}

# id, now, day, start, end, fields, setup, field refused (None: accepted)
RULES = [
    ("end-before-start", FIXED_NOW, YESTERDAY, "10:00", "09:00", {}, None, "end_time"),
    ("end-equals-start", FIXED_NOW, YESTERDAY, "09:00", "09:00", {}, None, "end_time"),
    ("overlap", FIXED_NOW, YESTERDAY, "08:30", "09:30", {}, busy("08:00-09:00"), "start_time"),
    ("inside-another", FIXED_NOW, YESTERDAY, "09:00", "10:00", {}, busy("08:00-12:00"), "start_time"),
    ("around-another", FIXED_NOW, YESTERDAY, "07:00", "13:00", {}, busy("08:00-09:00"), "start_time"),
    ("touching-after", FIXED_NOW, YESTERDAY, "09:00", "10:00", {}, busy("08:00-09:00"), None),
    ("touching-before", FIXED_NOW, YESTERDAY, "07:00", "08:00", {}, busy("08:00-09:00"), None),
    ("same-time-other-person", FIXED_NOW, YESTERDAY, "08:00", "09:00", {}, busy("08:00-09:00", who="staff_a2"),
     None),
    ("future-day", FIXED_NOW, date(2026, 11, 19), "08:00", "09:00", {}, None, "activity_date"),
    ("today-ends-after-now", FIXED_NOW, TODAY, "15:00", "16:30", {}, None, "end_time"),
    ("today-ends-now", FIXED_NOW, TODAY, "15:00", "16:00", {}, None, None),
    ("5-working-days-back-across-weekend", FIXED_NOW, date(2026, 11, 11), "08:00", "09:00", {}, None, None),
    ("6-working-days-back", FIXED_NOW, date(2026, 11, 10), "08:00", "09:00", {}, None, "activity_date"),
    ("monday-reaches-last-monday", MON23, date(2026, 11, 16), "08:00", "09:00", {}, None, None),
    ("monday-not-the-friday-before", MON23, date(2026, 11, 13), "08:00", "09:00", {}, None, "activity_date"),
    ("holiday-not-counted-in-window", AUG19, date(2026, 8, 11), "08:00", "09:00", {}, None, None),
    ("beyond-window-past-holiday", AUG19, date(2026, 8, 10), "08:00", "09:00", {}, None, "activity_date"),
    ("backdate-with-grant", FIXED_NOW, date(2026, 11, 10), "08:00", "09:00", {}, grant(TODAY), None),
    ("backdate-grant-expired", FIXED_NOW, date(2026, 11, 10), "08:00", "09:00", {}, grant(YESTERDAY),
     "activity_date"),
    ("month-locked", FIXED_NOW, YESTERDAY, "08:00", "09:00", {}, month_lock(True), "activity_date"),
    ("other-agency-locked", FIXED_NOW, YESTERDAY, "08:00", "09:00", {}, month_lock(True, "agency_b"), None),
    ("closing-day-still-open", NOV5, date(2026, 10, 30), "08:00", "09:00", {}, None, None),
    ("closed-after-closing-day", NOV6, date(2026, 10, 30), "08:00", "09:00", {}, None, "activity_date"),
    ("reopened-after-closing-day", NOV6, date(2026, 10, 30), "08:00", "09:00", {}, month_lock(False), None),
    ("exactly-12-hours", FIXED_NOW, YESTERDAY, "17:00", "18:00", {}, busy("06:00-17:00"), None),
    ("over-12-hours", FIXED_NOW, YESTERDAY, "17:00", "18:30", {}, busy("06:00-17:00"), "end_time"),
    ("one-13-hour-activity", FIXED_NOW, YESTERDAY, "06:00", "19:00", {}, None, "end_time"),
    ("dl-without-letter", FIXED_NOW, YESTERDAY, "08:00", "09:00", DL, None, "assignment_letter"),
    ("dl-blank-letter", FIXED_NOW, YESTERDAY, "08:00", "09:00", {**DL, "assignment_letter": "  "}, None,
     "assignment_letter"),
    ("dl-with-letter", FIXED_NOW, YESTERDAY, "08:00", "09:00", {**DL, "assignment_letter": "800/12/2026"}, None,
     None),
    ("zero-quantity", FIXED_NOW, YESTERDAY, "08:00", "09:00", {"quantity": Decimal(0)}, None, "quantity"),
    ("negative-quantity", FIXED_NOW, YESTERDAY, "08:00", "09:00", {"quantity": Decimal(-1)}, None, "quantity"),
    ("blank-description", FIXED_NOW, YESTERDAY, "08:00", "09:00", {"description": "  "}, None, "description"),
    ("weekend", FIXED_NOW, date(2026, 11, 14), "08:00", "09:00", {}, None, None),
    ("national-holiday", AUG19, date(2026, 8, 17), "08:00", "09:00", {}, None, None),
]
RULE_PARAMS = [pytest.param(*row[1:], id=row[0]) for row in RULES]
RULE_NAMES = ("now", "day", "start", "end", "fields", "setup", "field")


def prepare(db, org, monkeypatch, now, day, setup):
    freeze_now(monkeypatch, now)
    if setup:
        setup(org, day)
    db.session.commit()
    return org.user(org.staff_a)


@pytest.mark.parametrize(RULE_NAMES, RULE_PARAMS)
def test_create_rules(db, org, monkeypatch, now, day, start, end, fields, setup, field):
    actor = prepare(db, org, monkeypatch, now, day, setup)
    before = activity_count()
    data = activity_input(day, start, end, **fields)
    if field is None:
        activity = create_activity(actor, data)
        assert activity.status is ActivityStatus.DRAFT
        assert (activity.activity_date, activity.duration_minutes) == (day, data.duration_minutes)
        assert activity_count() == before + 1
        return
    with pytest.raises(ValidationFailed) as refused:
        create_activity(actor, data)
    db.session.rollback()
    assert refused.value.field == field, refused.value.message
    assert activity_count() == before


@pytest.mark.parametrize(RULE_NAMES, RULE_PARAMS)
def test_update_rules(db, org, monkeypatch, now, day, start, end, fields, setup, field):
    """The same rules when an existing draft (filed on another day) is changed into the row's input."""
    target = ActivityFactory(employee=org.staff_a, activity_date=date(2026, 9, 1), start_time=hm("07:00"),
                             end_time=hm("07:30"), description="Semula")
    actor = prepare(db, org, monkeypatch, now, day, setup)
    before = activity_count()
    data = activity_input(day, start, end, **fields)
    if field is None:
        update_activity(actor, target, data)
    else:
        with pytest.raises(ValidationFailed) as refused:
            update_activity(actor, target, data)
        db.session.rollback()
        assert refused.value.field == field, refused.value.message
    db.session.expire_all()
    stored = db.session.get(Activity, target.id)
    expected = (day, data.start_time, data.end_time) if field is None else (date(2026, 9, 1), hm("07:00"),
                                                                            hm("07:30"))
    assert (stored.activity_date, stored.start_time, stored.end_time) == expected
    assert activity_count() == before


def test_update_may_keep_its_own_times(db, org, monkeypatch):
    """An activity does not overlap itself when it is saved again."""
    activity = ActivityFactory(employee=org.staff_a, activity_date=YESTERDAY)
    actor = prepare(db, org, monkeypatch, FIXED_NOW, YESTERDAY, None)
    update_activity(actor, activity, activity_input(YESTERDAY, "08:00", "09:00", description="Lagi"))
    assert db.session.get(Activity, activity.id).description == "Lagi"


@pytest.mark.parametrize(
    ("now", "day", "setup", "off_day"),
    [
        pytest.param(FIXED_NOW, YESTERDAY, None, False, id="weekday"),
        pytest.param(FIXED_NOW, date(2026, 11, 14), None, True, id="saturday"),
        pytest.param(FIXED_NOW, date(2026, 11, 15), None, True, id="sunday"),
        pytest.param(AUG19, date(2026, 8, 17), None, True, id="independence-day"),
        pytest.param(FIXED_NOW, YESTERDAY, lambda: HolidayEntryFactory(day=YESTERDAY), True, id="regional-holiday"),
        pytest.param(AUG19, date(2026, 8, 17), lambda: HolidayEntryFactory(day=date(2026, 8, 17), is_day_off=False),
                     False, id="holiday-cancelled"),
    ],
)
def test_weekend_and_holiday_work_is_allowed_but_marked(db, org, monkeypatch, now, day, setup, off_day):
    actor = prepare(db, org, monkeypatch, now, day, setup and (lambda org, day: setup()))
    activity = create_activity(actor, activity_input(day))
    assert activity.off_day is off_day


def test_same_client_token_creates_one_activity(db, org, monkeypatch):
    actor = prepare(db, org, monkeypatch, FIXED_NOW, YESTERDAY, None)
    token = "2f1d7c1e-3b0a-4c55-9c1e-6d7f00000001"
    first = create_activity(actor, activity_input(YESTERDAY, client_token=token))
    again = create_activity(actor, activity_input(YESTERDAY, client_token=token))
    assert again.id == first.id
    assert activity_count() == 1


@pytest.mark.parametrize(
    ("status", "editable"),
    [(ActivityStatus.DRAFT, True), (ActivityStatus.RETURNED, True),
     (ActivityStatus.SUBMITTED, False), (ActivityStatus.APPROVED, False)],
)
def test_edit_and_delete_only_drafts_and_returned(db, org, monkeypatch, status, editable):
    kept = ActivityFactory(employee=org.staff_a, activity_date=YESTERDAY, status=status, description="Asli")
    doomed = ActivityFactory(employee=org.staff_a, activity_date=YESTERDAY, status=status,
                             start_time=hm("10:00"), end_time=hm("11:00"))
    actor = prepare(db, org, monkeypatch, FIXED_NOW, YESTERDAY, None)
    change = activity_input(YESTERDAY, "08:00", "08:45", description="Diubah")
    if editable:
        update_activity(actor, kept, change)
        delete_activity(actor, doomed)
    else:
        with pytest.raises(NotAllowed):
            update_activity(actor, kept, change)
        db.session.rollback()
        with pytest.raises(NotAllowed):
            delete_activity(actor, doomed)
        db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(Activity, kept.id)
    assert (stored.description, stored.duration_minutes) == (("Diubah", 45) if editable else ("Asli", 60))
    assert stored.status is status  # a returned item stays returned until it is submitted again
    assert activity_count() == (1 if editable else 2)


def test_only_the_owner_may_change(db, org, monkeypatch):
    activity = ActivityFactory(employee=org.staff_a, activity_date=YESTERDAY)
    prepare(db, org, monkeypatch, FIXED_NOW, YESTERDAY, None)
    with pytest.raises(NotAllowed):
        update_activity(org.user(org.appraiser_a), activity, activity_input(YESTERDAY, description="Bukan saya"))
    with pytest.raises(NotAllowed):
        delete_activity(org.user(org.staff_a2), activity)


# --- Submitting and withdrawing through the buttons --------------------------------------------------------------


def statuses(db) -> dict[str, ActivityStatus]:
    db.session.expire_all()
    return {description: status for description, status in db.session.execute(
        select(Activity.description, Activity.status))}


def file(org, day: date, name: str, status=ActivityStatus.DRAFT, start="08:00", end="09:00"):
    return ActivityFactory(employee=org.staff_a, activity_date=day, description=name, status=status,
                           start_time=hm(start), end_time=hm(end))


@pytest.fixture()
def staff(db, org, auth, monkeypatch):
    """Staff A signed in, with now frozen at FIXED_NOW."""
    freeze_now(monkeypatch)
    auth.login(org.staff_a.id_number)
    return org


def test_submit_one(client, db, staff):
    target = file(staff, YESTERDAY, "satu")
    file(staff, YESTERDAY, "lain", start="10:00", end="11:00")
    db.session.commit()
    response = client.post(f"/kegiatan/{target.id}/ajukan")
    assert response.status_code == 302
    assert statuses(db) == {"satu": ActivityStatus.SUBMITTED, "lain": ActivityStatus.DRAFT}
    assert db.session.get(Activity, target.id).submitted_at is not None


def test_submit_day(client, db, staff):
    file(staff, YESTERDAY, "draf", start="07:00", end="08:00")
    file(staff, YESTERDAY, "kembali", ActivityStatus.RETURNED, start="08:00", end="09:00")
    file(staff, YESTERDAY, "setuju", ActivityStatus.APPROVED, start="09:00", end="10:00")
    file(staff, date(2026, 11, 16), "hari lain")
    db.session.commit()
    response = client.post("/kegiatan/hari/2026-11-17/ajukan", follow_redirects=True)
    assert "2 kegiatan diajukan ke atasan." in response.text
    assert statuses(db) == {"draf": ActivityStatus.SUBMITTED, "kembali": ActivityStatus.SUBMITTED,
                            "setuju": ActivityStatus.APPROVED, "hari lain": ActivityStatus.DRAFT}


def test_submit_week_takes_monday_to_sunday(client, db, staff):
    file(staff, date(2026, 11, 15), "minggu lalu")  # Sunday before
    file(staff, date(2026, 11, 16), "senin")
    file(staff, TODAY, "rabu")
    file(staff, date(2026, 11, 22), "minggu")  # Sunday of the week
    db.session.commit()
    response = client.post("/kegiatan/minggu/2026-11-18/ajukan", follow_redirects=True)
    assert "3 kegiatan minggu ini diajukan." in response.text
    assert statuses(db) == {"minggu lalu": ActivityStatus.DRAFT, "senin": ActivityStatus.SUBMITTED,
                            "rabu": ActivityStatus.SUBMITTED, "minggu": ActivityStatus.SUBMITTED}


@pytest.mark.parametrize("url", ["/kegiatan/hari/2026-10-30/ajukan", "/kegiatan/minggu/2026-10-30/ajukan"])
def test_submitting_in_a_closed_month_is_refused_politely(client, db, staff, url):
    """October closed on 5 November: the drafts stay drafts and the page says why (no error page)."""
    file(staff, date(2026, 10, 30), "oktober")
    db.session.commit()
    response = client.post(url, follow_redirects=True)
    assert response.status_code == 200
    assert "sudah ditutup untuk pengisian" in response.text
    assert statuses(db) == {"oktober": ActivityStatus.DRAFT}


def test_withdraw_then_conflict_once_the_appraiser_decided(client, db, staff):
    activity = file(staff, YESTERDAY, "ditarik", ActivityStatus.SUBMITTED)
    db.session.commit()
    actor = staff.user(staff.staff_a)
    withdraw_activity(actor, activity)
    assert (activity.status, activity.submitted_at) == (ActivityStatus.DRAFT, None)

    activity_id = activity.id
    submit_activities(actor, [activity])  # commits; nothing may reload now, or SQLite's write lock is held
    with db.engine.begin() as connection:  # the appraiser approves from another session
        connection.execute(update(Activity).where(Activity.id == activity_id)
                           .values(status=ActivityStatus.APPROVED, version=Activity.version + 1))
    with pytest.raises(Conflict):
        withdraw_activity(actor, activity)
    response = client.post(f"/kegiatan/{activity.id}/tarik", follow_redirects=True)
    assert "sudah diperiksa atasan" in response.text
    assert statuses(db) == {"ditarik": ActivityStatus.APPROVED}


def test_returned_activity_shows_its_reason(client, db, staff):
    activity = file(staff, YESTERDAY, "rapat", ActivityStatus.RETURNED)
    activity.return_reason = "Lampirkan daftar hadir rapat"
    db.session.commit()
    page = client.get("/kegiatan/2026-11-17").text
    assert "Dikembalikan: Lampirkan daftar hadir rapat" in page


def test_resent_form_creates_one_activity(client, db, staff):
    form = activity_form()
    assert client.post("/kegiatan/2026-11-17", data=form).status_code == 302
    assert client.post("/kegiatan/2026-11-17", data=form).status_code == 302
    assert activity_count() == 1


def test_copy_day_copies_drafts_and_skips_overlaps(db, org, monkeypatch):
    source = date(2026, 11, 16)
    file(org, source, "apel", ActivityStatus.APPROVED, "07:30", "08:00")
    file(org, source, "rapat", ActivityStatus.SUBMITTED, "09:00", "10:00")
    letter = file(org, source, "kunjungan", ActivityStatus.RETURNED, "13:00", "15:00")
    letter.work_mode, letter.assignment_letter = WorkMode.DL, "094/7/2026"
    file(org, YESTERDAY, "sudah ada", start="09:30", end="10:30")
    actor = prepare(db, org, monkeypatch, FIXED_NOW, YESTERDAY, None)

    result = copy_day(actor, source, YESTERDAY)

    assert result.copied == 2
    assert len(result.skipped) == 1 and result.skipped[0].startswith("09.00 rapat")
    copies = db.session.scalars(select(Activity).where(Activity.activity_date == YESTERDAY,
                                                       Activity.description != "sudah ada")).all()
    assert sorted(item.description for item in copies) == ["apel", "kunjungan"]
    assert {item.status for item in copies} == {ActivityStatus.DRAFT}
    assert {item.assignment_letter for item in copies} == {None, "094/7/2026"}
    assert activity_count() == 6


@pytest.mark.parametrize(
    ("source", "target", "field"),
    [("2026-11-17", "2026-11-17", "source"), ("2026-11-13", "2026-11-17", "source")],
    ids=["same-day", "empty-source"],
)
def test_copy_day_refusals(db, org, monkeypatch, source, target, field):
    file(org, YESTERDAY, "ada")
    actor = prepare(db, org, monkeypatch, FIXED_NOW, YESTERDAY, None)
    with pytest.raises(ValidationFailed) as refused:
        copy_day(actor, date.fromisoformat(source), date.fromisoformat(target))
    assert refused.value.field == field
    assert activity_count() == 1


def test_copy_day_through_the_page(client, db, staff):
    file(staff, date(2026, 11, 16), "apel", start="07:30", end="08:00")
    file(staff, date(2026, 11, 16), "rapat", start="09:00", end="10:00")
    file(staff, YESTERDAY, "sudah ada", start="09:30", end="10:30")
    db.session.commit()
    page = client.post("/kegiatan/hari/2026-11-17/salin", data={"source": "2026-11-16"}, follow_redirects=True).text
    assert "1 kegiatan disalin dari" in page
    assert "Tidak disalin: 09.00 rapat" in page
    assert activity_count() == 4


# --- The same rules through the form: the message next to the field, nothing saved ------------------------------

FORM_RULES = [
    ("end-before-start", "2026-11-17", {"start_time": "10:00", "end_time": "09:00"}, None, "end_time",
     "Jam selesai harus setelah jam mulai"),
    ("overlap", "2026-11-17", {"start_time": "08:30", "end_time": "09:30"}, busy("08:00-09:00"), "start_time",
     "Waktu bertabrakan dengan kegiatan 08.00–09.00"),
    ("today-ends-after-now", "2026-11-18", {"start_time": "15:00", "end_time": "16:30"}, None, "end_time",
     "Kegiatan tidak boleh di masa depan"),
    ("over-12-hours", "2026-11-17", {"start_time": "17:00", "end_time": "18:30"}, busy("06:00-17:00"), "end_time",
     "Total kegiatan sehari paling banyak 12 jam"),
    ("dl-without-letter", "2026-11-17", {"work_mode": "DL"}, None, "assignment_letter",
     "Dinas luar memerlukan nomor surat tugas."),
    ("zero-quantity", "2026-11-17", {"quantity": "0"}, None, "quantity", "Kuantitas harus lebih dari 0."),
    ("link-not-http", "2026-11-17", {"link": "javascript:alert(1)"}, None, "link",
     "Tautan bukti harus alamat http(s) yang lengkap."),
]


@pytest.mark.parametrize(("day", "fields", "setup", "field", "message"),
                         [pytest.param(*row[1:], id=row[0]) for row in FORM_RULES])
def test_form_shows_the_rule_next_to_its_field(client, db, staff, day, fields, setup, field, message):
    if setup:
        setup(staff, date.fromisoformat(day))
        db.session.commit()
    before = activity_count()
    response = client.post(f"/kegiatan/{day}", data=activity_form(**fields))
    assert response.status_code == 200
    assert message in (field_error(response.text, field) or ""), f"no message under {field}"
    assert activity_count() == before


def test_edit_form_shows_a_future_date_next_to_the_date(client, db, staff):
    activity = file(staff, YESTERDAY, "asli")
    db.session.commit()
    response = client.post(f"/kegiatan/{activity.id}/ubah",
                           data=activity_form(activity_date="2026-11-19", description="geser"))
    assert response.status_code == 200
    assert "Kegiatan tidak boleh di masa depan" in (field_error(response.text, "activity_date") or "")
    assert statuses(db) == {"asli": ActivityStatus.DRAFT}
    assert db.session.get(Activity, activity.id).activity_date == YESTERDAY


@pytest.mark.parametrize(("start", "end", "field"), [("00:00", "01:00", None), ("01:00", "02:00", "end_time")])
def test_today_is_the_agency_s_day_when_utc_and_wib_are_still_in_yesterday(db, org, monkeypatch, start, end, field):
    """16.30 UTC is 23.30 WIB on 8 December but 01.30 WIT on the 9th: staff in Papua file for the 9th."""
    org.agency_a.timezone = "Asia/Jayapura"
    actor = prepare(db, org, monkeypatch, datetime(2026, 12, 8, 16, 30, tzinfo=UTC), None, None)
    data = activity_input(date(2026, 12, 9), start, end)
    if field is None:
        assert create_activity(actor, data).activity_date == date(2026, 12, 9)
        return
    with pytest.raises(ValidationFailed) as refused:
        create_activity(actor, data)
    assert refused.value.field == field
