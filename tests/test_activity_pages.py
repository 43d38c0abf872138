"""The activity pages: other people's activities stay hidden, admins without an employee have none, the list's
filters and pages, a fixed number of queries per page, and the quick-add row's defaults."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from kinerja.models import Activity, ActivityCategory, ActivityStatus, Employee, Evidence, WorkMode
from tests.factories import (
    ActivityFactory,
    EvidenceLinkFactory,
    HolidayEntryFactory,
    activity_count,
    activity_form,
    freeze_now,
    hm,
    iki_for,
)
from tests.querycount import count_queries

# --- Someone else's activity is a 404 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "owner", "method", "url", "status"),
    [
        ("staff_a", "staff_a2", "get", "/kegiatan/{id}/ubah", ActivityStatus.DRAFT),
        ("staff_a", "staff_a2", "post", "/kegiatan/{id}/ubah", ActivityStatus.DRAFT),
        ("staff_a", "staff_a2", "post", "/kegiatan/{id}/ajukan", ActivityStatus.DRAFT),
        ("staff_a", "staff_a2", "post", "/kegiatan/{id}/tarik", ActivityStatus.SUBMITTED),
        ("staff_a", "staff_a2", "post", "/kegiatan/{id}/hapus", ActivityStatus.DRAFT),
        ("staff_a", "staff_a2", "post", "/kegiatan/bukti/{evidence}/hapus", ActivityStatus.DRAFT),
        ("staff_a", "staff_b", "post", "/kegiatan/{id}/hapus", ActivityStatus.DRAFT),
        # The appraiser may see a subordinate's activity, never change it through these routes.
        ("appraiser_a", "staff_a", "get", "/kegiatan/{id}/ubah", ActivityStatus.DRAFT),
        ("appraiser_a", "staff_a", "post", "/kegiatan/{id}/hapus", ActivityStatus.DRAFT),
        ("appraiser_a", "staff_a", "post", "/kegiatan/{id}/tarik", ActivityStatus.SUBMITTED),
        ("appraiser_a", "staff_a", "post", "/kegiatan/bukti/{evidence}/hapus", ActivityStatus.DRAFT),
    ],
)
def test_other_peoples_activities_are_404(client, auth, db, org, monkeypatch, actor, owner, method, url, status):
    freeze_now(monkeypatch)
    activity = ActivityFactory(employee=getattr(org, owner), status=status, description="milik orang lain")
    link = EvidenceLinkFactory(activity=activity)
    db.session.commit()
    ids = {"id": activity.id, "evidence": link.id}
    auth.login(getattr(org, actor).id_number)
    response = getattr(client, method)(url.format(**ids), data=activity_form(description="diambil alih"))
    assert response.status_code == 404
    db.session.expire_all()
    stored = db.session.get(Activity, activity.id)
    assert (stored.status, stored.description, len(stored.evidence)) == (status, "milik orang lain", 1)


@pytest.mark.parametrize("admin", ["admin.a", "admin.bkd", "superadmin"])
@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/kegiatan/"), ("get", "/kegiatan/2026-11-17"), ("post", "/kegiatan/2026-11-17"),
     ("get", "/kegiatan/bulan/2026-11"), ("get", "/kegiatan/daftar"), ("post", "/kegiatan/hari/2026-11-17/ajukan")],
)
def test_admin_without_employee_has_no_activity_pages(client, auth, db, org, admin, method, url):
    auth.login(admin)
    assert getattr(client, method)(url, data=activity_form()).status_code == 404
    assert activity_count() == 0


# --- The list -----------------------------------------------------------------------------------------------------

LISTED = [
    # description, day, status, mode
    ("Rapat koordinasi", date(2026, 11, 2), ActivityStatus.APPROVED, WorkMode.WFO),
    ("Menyusun laporan bulanan", date(2026, 11, 3), ActivityStatus.DRAFT, WorkMode.WFH),
    ("Kunjungan lapangan", date(2026, 11, 4), ActivityStatus.SUBMITTED, WorkMode.DL),
    ("RAPAT evaluasi", date(2026, 11, 10), ActivityStatus.RETURNED, WorkMode.WFO),
    ("Capaian 100% target", date(2026, 11, 11), ActivityStatus.DRAFT, WorkMode.WFO),
    ("Undangan 1000 peserta", date(2026, 11, 12), ActivityStatus.DRAFT, WorkMode.WFO),
    ("Mengarsipkan surat", date(2026, 10, 30), ActivityStatus.APPROVED, WorkMode.WFH),
]
NEWEST_FIRST = [row[0] for row in sorted(LISTED, key=lambda row: row[1], reverse=True)]


def listed(page: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r'<div class="activity-text">(.*?)</div>', page, re.S)]


@pytest.fixture()
def listing(db, org, auth):
    for description, day, status, mode in LISTED:
        ActivityFactory(employee=org.staff_a, description=description, activity_date=day, status=status,
                        work_mode=mode)
    ActivityFactory(employee=org.staff_a2, description="Rapat milik Staf A Dua", activity_date=date(2026, 11, 2))
    db.session.commit()
    auth.login(org.staff_a.id_number)
    return org


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", NEWEST_FIRST),
        ("status=approved", ["Rapat koordinasi", "Mengarsipkan surat"]),
        ("status=returned", ["RAPAT evaluasi"]),
        ("mode=DL", ["Kunjungan lapangan"]),
        ("mode=WFH", ["Menyusun laporan bulanan", "Mengarsipkan surat"]),
        ("q=rapat", ["RAPAT evaluasi", "Rapat koordinasi"]),
        ("q=+laporan+", ["Menyusun laporan bulanan"]),
        ("dari=2026-11-01&sampai=2026-11-03", ["Menyusun laporan bulanan", "Rapat koordinasi"]),
        ("sampai=2026-11-01", ["Mengarsipkan surat"]),
        ("dari=2026-11-01&status=approved&q=rapat", ["Rapat koordinasi"]),
        ("status=bogus&mode=XYZ&dari=bukan-tanggal", NEWEST_FIRST),  # invalid filters are ignored
        ("q=tidak+ada", []),
        ("q=100%25", ["Capaian 100% target"]),  # the search text is literal, not a LIKE pattern
        ("q=_", []),
    ],
)
def test_list_filters(client, listing, query, expected):
    response = client.get(f"/kegiatan/daftar?{query}")
    assert response.status_code == 200
    assert listed(response.text) == expected
    if not expected:
        assert "Tidak ada kegiatan yang cocok." in response.text


def test_list_pages(app, client, db, org, auth, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 3)
    for number in range(7):
        ActivityFactory(employee=org.staff_a, activity_date=date(2026, 11, 2) + timedelta(days=number),
                        description=f"Laporan {number}")
    db.session.commit()
    auth.login(org.staff_a.id_number)
    pages = {page: listed(client.get(f"/kegiatan/daftar?q=laporan&page={page}").text) for page in (1, 2, 3, 4)}
    assert pages == {1: ["Laporan 6", "Laporan 5", "Laporan 4"], 2: ["Laporan 3", "Laporan 2", "Laporan 1"],
                     3: ["Laporan 0"], 4: []}
    first = client.get("/kegiatan/daftar?q=laporan").text
    links = {html.unescape(href) for href in re.findall(r'class="page-link" href="([^"#]+)"', first)}
    assert links == {f"/kegiatan/daftar?page={n}&q=laporan" for n in (1, 2, 3)}


# --- A fixed number of queries per page -------------------------------------------------------------------------


def queries_for(client, db, url: str) -> int:
    db.session.remove()  # requests share the test's session: start each from an empty identity map
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def add_activities(db, employee_id: int, numbers: range) -> None:
    """Activities with a link each, half on 17 November and half across the month, in every status."""
    statuses, employee = list(ActivityStatus), db.session.get(Employee, employee_id)
    indicators = [None, *(iki_for(employee, f"Indikator {n}").id for n in range(1, 4))]
    for number in numbers:
        start = datetime(2026, 11, 17, 6) + timedelta(minutes=10 * number)
        activity = ActivityFactory(
            employee=employee,
            activity_date=date(2026, 11, 17) if number % 2 == 0 else date(2026, 11, 1 + number % 29),
            start_time=start.time(), end_time=(start + timedelta(minutes=10)).time(),
            status=statuses[number % len(statuses)], work_mode=list(WorkMode)[number % 3],
            assignment_letter="090/1", indicator_id=indicators[number % 4],
        )
        EvidenceLinkFactory(activity=activity)
    db.session.commit()


@pytest.mark.parametrize(
    "url", ["/kegiatan/2026-11-17", "/kegiatan/bulan/2026-11", "/kegiatan/daftar", "/kegiatan/daftar?q=laporan&page=2"]
)
def test_page_queries_do_not_grow_with_activities(client, auth, db, org, monkeypatch, url):
    freeze_now(monkeypatch)
    employee_id = org.staff_a.id
    add_activities(db, employee_id, range(2))
    auth.login(org.staff_a.id_number)
    before = queries_for(client, db, url)
    add_activities(db, employee_id, range(2, 40))
    assert db.session.scalar(select(Activity.id).where(Activity.employee_id == employee_id).offset(39))
    assert db.session.query(Evidence).count() == 40
    after = queries_for(client, db, url)
    assert after == before, f"{url} ran {before} queries with 2 activities, then {after} with 40"


# --- The quick-add row ------------------------------------------------------------------------------------------


def input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    value = re.search(r'\bvalue="([^"]*)"', match.group(0)) if match else None
    return html.unescape(value.group(1)) if value else None


def selected(page: str, name: str) -> str | None:
    select_html = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    chosen = [tag for tag in re.findall(r"<option[^>]*>", select_html) if re.search(r"\bselected\b", tag)]
    return re.search(r'value="([^"]*)"', chosen[0]).group(1) if chosen else None


@pytest.mark.parametrize(
    ("filed", "start", "end", "mode", "category", "letter", "unit"),
    [
        pytest.param([], "07:30", "08:30", "WFO", "tugas_utama", None, "", id="empty-day"),
        pytest.param([("08:00", "09:30", WorkMode.WFO, ActivityCategory.MAIN, None, "laporan"),
                      ("10:00", "11:15", WorkMode.DL, ActivityCategory.INSTRUCTION, "800/5/2026", "berkas")],
                     "11:15", "12:15", "DL", "instruksi_pimpinan", "800/5/2026", "berkas", id="after-the-last"),
        pytest.param([("13:00", "14:00", WorkMode.WFH, ActivityCategory.ADDITIONAL, None, "orang"),
                      ("08:00", "09:00", WorkMode.WFO, ActivityCategory.MAIN, None, "dokumen")],
                     "14:00", "15:00", "WFH", "tugas_tambahan", None, "orang", id="latest-end-not-latest-filed"),
        pytest.param([("21:00", "23:00", WorkMode.WFO, ActivityCategory.MAIN, None, "kegiatan")],
                     "23:00", "23:59", "WFO", "tugas_utama", None, "kegiatan", id="late-evening"),
        pytest.param([("22:00", "23:30", WorkMode.WFO, ActivityCategory.MAIN, None, "dokumen")],
                     "23:30", "23:59", "WFO", "tugas_utama", None, "dokumen", id="near-midnight"),
    ],
)
def test_quick_add_defaults(client, auth, db, org, monkeypatch, filed, start, end, mode, category, letter, unit):
    """The next row starts where the last one (by end time) ended and keeps its mode, category, letter and unit."""
    freeze_now(monkeypatch)  # 18 November: the 17th is open for filing, so the page offers the quick-add row
    for begin, finish, work_mode, kind, assignment_letter, output_unit in filed:
        ActivityFactory(employee=org.staff_a, start_time=hm(begin), end_time=hm(finish), work_mode=work_mode,
                        category=kind, assignment_letter=assignment_letter, unit=output_unit)
    db.session.commit()
    auth.login(org.staff_a.id_number)
    page = client.get("/kegiatan/2026-11-17").text
    assert (input_value(page, "start_time"), input_value(page, "end_time")) == (start, end)
    assert (selected(page, "work_mode"), selected(page, "category")) == (mode, category)
    assert input_value(page, "assignment_letter") == (letter or "")
    assert (input_value(page, "unit") or "") == unit
    assert re.fullmatch(r"[0-9a-f-]{36}", input_value(page, "client_token"))


# --- The day's badges -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "holiday", "badges"), [
    pytest.param(date(2026, 11, 14), False, ["Akhir pekan", "Akhir pekan"], id="saturday"),
    pytest.param(date(2026, 11, 13), True, ["Libur daerah: Hari Jadi Kota Uji", "Hari libur"], id="holiday"),
])
def test_an_off_day_item_is_named_like_its_day(client, auth, db, org, monkeypatch, day, holiday, badges):
    """The day's badge and its items' badges use the same word: a weekend's items say "Akhir pekan" too."""
    freeze_now(monkeypatch)
    if holiday:
        HolidayEntryFactory(day=day)
    ActivityFactory(employee=org.staff_a, activity_date=day, off_day=True)
    db.session.commit()
    auth.login(org.staff_a.id_number)
    page = client.get(f"/kegiatan/{day.isoformat()}").text
    shown = [html.unescape(label).strip() for label in
             re.findall(r'<span class="badge text-bg-warning">(.*?)</span>', page, re.S)]
    assert shown == badges


# --- Quantities as Indonesians write them -----------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored", "shown"), [
    ("2,5", Decimal("2.5"), "2,5"), ("1.500", Decimal("1500"), "1.500"), ("0,25", Decimal("0.25"), "0,25"),
    ("1.5", Decimal("1.5"), "1,5"), ("3", Decimal("3"), "3"),
])
def test_quantity_is_typed_and_shown_with_a_decimal_comma(client, auth, db, org, monkeypatch, typed, stored, shown):
    freeze_now(monkeypatch)
    auth.login(org.staff_a.id_number)
    empty = client.get("/kegiatan/2026-11-17").text
    quantity = re.search(r'<input[^>]*\bname="quantity"[^>]*>', empty).group(0)
    assert input_value(empty, "quantity") == "1" and 'type="text"' in quantity  # not "1.00"
    response = client.post("/kegiatan/2026-11-17", data=activity_form(quantity=typed))
    assert response.status_code == 302
    activity = db.session.scalar(select(Activity).where(Activity.employee_id == org.staff_a.id))
    assert activity.quantity == stored
    day = client.get("/kegiatan/2026-11-17").text
    assert f"Output: {shown} dokumen" in " ".join(re.sub(r"<[^>]+>", " ", day).split())
    assert input_value(client.get(f"/kegiatan/{activity.id}/ubah").text, "quantity") == shown


def test_a_quantity_that_is_not_a_number_is_refused(client, auth, db, org, monkeypatch):
    freeze_now(monkeypatch)
    auth.login(org.staff_a.id_number)
    response = client.post("/kegiatan/2026-11-17", data=activity_form(quantity="1.2.3"))
    assert response.status_code == 200 and activity_count() == 0
    assert input_value(response.text, "quantity") == "1.2.3"  # kept as typed, to correct
