"""The BKD dashboard: figures worked out by hand for a small regency, the drill-down pages, who may see what,
the XLSX export read back, and a number of queries that does not grow with agencies or staff."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time

import pytest
from openpyxl import load_workbook

from kinerja.admin import dashboard
from kinerja.admin.charts import Item, Series, bar_chart, stacked_chart
from kinerja.admin.master_data import Sort, parse_sort
from kinerja.extensions import db as _db
from kinerja.models import ActivityStatus, Employee, Evaluation, Predikat, Rating, Unit, WorkMode
from tests import factories
from tests.querycount import count_queries

OCTOBER = date(2026, 10, 1)
TODAY = date(2026, 11, 23)
BY_CODE = Sort("kode", False)
TARGET = 300  # minutes a day: the configuration's default


def activity(employee, day: int, status: ActivityStatus, mode: WorkMode = WorkMode.WFO, start: str = "08:00",
             end: str = "09:30", submitted: datetime | None = None):
    return factories.ActivityFactory(employee=employee, activity_date=date(2026, 10, day), status=status,
                                     work_mode=mode, start_time=time.fromisoformat(start),
                                     end_time=time.fromisoformat(end), submitted_at=submitted)


def rate(employee, predikat: Predikat) -> None:
    indicator = factories.iki_for(employee)
    _db.session.add(Evaluation(employee_id=employee.id, skp_id=indicator.rhk.skp_id, year=2026, month=10,
                               rating_result=Rating.AS_EXPECTED, rating_behaviour=Rating.AS_EXPECTED,
                               predikat=predikat))


@pytest.fixture()
def october(org):
    """October 2026 (22 working days) in both agencies, worked out in the comments."""
    for day in (5, 6, 7):  # Staf A: three approved WFO days of 90 minutes
        activity(org.staff_a, day, ActivityStatus.APPROVED)
    # Staf A Dua: two waiting (since 13 and 20 November, WIB), one returned; two days of leave (20 working days)
    activity(org.staff_a2, 5, ActivityStatus.SUBMITTED, WorkMode.WFH, end="09:00",
             submitted=datetime(2026, 11, 13, 3, 0, tzinfo=UTC))
    activity(org.staff_a2, 6, ActivityStatus.SUBMITTED, end="09:00", submitted=datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    activity(org.staff_a2, 7, ActivityStatus.RETURNED, WorkMode.DL, end="09:00")
    factories.LeaveFactory(employee_id=org.staff_a2.id, start_date=date(2026, 10, 12), end_date=date(2026, 10, 13))
    activity(org.appraiser_a, 8, ActivityStatus.DRAFT)  # drafts count nowhere
    # Staf Lain A: one day, two approved activities in two modes (120 + 60 minutes)
    activity(org.other_staff_a, 5, ActivityStatus.APPROVED, WorkMode.DL, end="10:00")
    activity(org.other_staff_a, 5, ActivityStatus.APPROVED, start="10:00", end="11:00")
    activity(org.staff_b, 5, ActivityStatus.APPROVED, WorkMode.WFH, end="09:00")
    rate(org.staff_a, Predikat.GOOD)
    rate(org.other_staff_a, Predikat.VERY_GOOD)
    _db.session.commit()
    return org


@pytest.fixture()
def today(monkeypatch):
    factories.freeze_now(monkeypatch, TODAY)
    return TODAY


def login(client, who) -> None:
    identifier = who.username if hasattr(who, "username") else who.id_number
    assert client.post("/masuk", data={"identifier": identifier, "password": factories.PASSWORD}).status_code == 302


def unit_of(agency, code: str) -> Unit:
    return _db.session.query(Unit).filter_by(agency_id=agency.id, code=code).one()


# --- Figures ---------------------------------------------------------------------------------------------------


def test_regency_figures_per_agency(october):
    board = dashboard.regency_dashboard(OCTOBER, TODAY, BY_CODE)
    a, b = board.lines
    assert (a.code, a.name, a.detail) == ("A", "Dinas A", october.agency_a.short_name)
    figures = a.figures
    assert figures.staff == 6 and figures.working_days == 5 * 22 + 20
    assert figures.days_filed == 7 and figures.filed_percent == pytest.approx(100 * 7 / 130)
    assert (figures.approved, figures.pending, figures.returned) == (5, 2, 1)
    assert figures.approval_percent == pytest.approx(62.5)
    assert figures.waiting_days == 10  # submitted on 13 November, seen on the 23rd
    assert figures.approved_minutes == 3 * 90 + 180 and figures.target_minutes == 130 * TARGET
    assert figures.minutes_percent == pytest.approx(100 * 450 / 39000)
    assert figures.mode_days == {"WFO": 5, "WFH": 1, "DL": 2}
    assert [figures.mode_share(mode) for mode in ("WFO", "WFH", "DL")] == [62.5, 12.5, 25.0]
    assert figures.predikat == {"sangat_baik": 1, "baik": 1, "butuh_perbaikan": 0, "kurang": 0, "sangat_kurang": 0}
    assert (b.figures.staff, b.figures.days_filed, b.figures.approval_percent) == (2, 1, 100)
    assert b.figures.waiting_days is None
    assert board.total.staff == 8 and board.total.working_days == 174 and board.total.pending == 2
    assert board.total.approval_percent == pytest.approx(100 * 6 / 9) and board.total.waiting_days == 10
    assert board.complete and board.until == date(2026, 10, 31)


def test_agency_units_in_tree_order_each_with_its_own_staff(october):
    units, staff = dashboard.agency_dashboards(october.agency_a, OCTOBER, TODAY, BY_CODE)
    assert [(line.name, line.depth, line.figures.staff) for line in units.lines] == [
        ("Sekretariat A", 0, 1), ("Seksi A1", 1, 3), ("Seksi A2", 1, 2)]
    section = units.lines[1].figures
    assert section.working_days == 64 and section.days_filed == 6 and section.approval_percent == 50
    assert section.approved_minutes == 270 and section.waiting_days == 10
    assert units.total.staff == 6 and units.total.days_filed == 7
    assert [line.name for line in staff.lines] == ["Kepala A", "Penilai A", "Penilai Lain A", "Staf A", "Staf A Dua",
                                                   "Staf Lain A"]


def test_unit_lists_its_employees_with_their_predikat(october):
    board = dashboard.unit_dashboard(unit_of(october.agency_a, "01.01"), OCTOBER, TODAY, BY_CODE)
    assert [line.name for line in board.lines] == ["Penilai A", "Staf A", "Staf A Dua"]
    penilai, staf, dua = board.lines
    assert staf.code == october.staff_a.id_number and staf.predikat == "baik" and penilai.predikat == ""
    assert (dua.figures.working_days, dua.figures.pending, dua.figures.waiting_days) == (20, 2, 10)
    assert dua.figures.target_minutes == 20 * TARGET and staf.figures.minutes_percent == pytest.approx(270 / 66)


def test_the_current_month_counts_working_days_up_to_today(org):
    factories.HolidayEntryFactory(day=date(2026, 11, 17))
    factories.ActivityFactory(employee=org.staff_a, activity_date=date(2026, 11, 16), status=ActivityStatus.APPROVED)
    _db.session.commit()
    board = dashboard.unit_dashboard(unit_of(org.agency_a, "01.01"), date(2026, 11, 1), date(2026, 11, 18), BY_CODE)
    staf = next(line for line in board.lines if line.name == "Staf A")
    # 2-6, 9-13 and 16-18 November, less the regional holiday on the 17th
    assert staf.figures.working_days == 12 and staf.figures.target_minutes == 12 * TARGET
    assert staf.figures.days_filed == 1 and not board.complete and board.until == date(2026, 11, 18)


@pytest.mark.parametrize(("sort", "first"), [("-mengisi", "Staf A Dua"), ("-menit", "Staf A"),
                                             ("mengisi", "Penilai A"),
                                             ("-menunggu", "Staf A Dua"), ("-nama", "Staf A Dua")])
def test_lines_sort_by_any_column(october, sort, first):
    board = dashboard.unit_dashboard(unit_of(october.agency_a, "01.01"), OCTOBER, TODAY,
                                     parse_sort(sort, dashboard.SORTS, "kode"))
    assert board.lines[0].name == first


# --- Pages -----------------------------------------------------------------------------------------------------


def test_bkd_reads_the_regency_then_an_agency_then_a_unit(client, october, today):
    login(client, october.bkd_admin)
    page = client.get("/admin/dasbor?bulan=2026-10").get_data(as_text=True)
    assert "Dinas A" in page and f"/admin/dasbor/opd/{october.agency_a.id}?bulan=2026-10" in page
    assert 'role="img"' in page and 'id="chart-predikat"' in page and "<title>" in page
    assert "5,4" in page and "62,5" in page and "10 hari" in page  # filing and approval of Dinas A, oldest wait

    page = client.get(f"/admin/dasbor/opd/{october.agency_a.id}?bulan=2026-10").get_data(as_text=True)
    section = unit_of(october.agency_a, "01.01")
    assert "Seksi A1" in page and f"/admin/dasbor/unit/{section.id}?bulan=2026-10" in page
    assert f"/opd/{october.agency_a.id}/pemantauan?bulan=2026-10" in page  # the monitoring page, not a copy

    page = client.get(f"/admin/dasbor/unit/{section.id}?bulan=2026-10").get_data(as_text=True)
    assert f"/laporan/pegawai/{october.staff_a.id}/2026-10.pdf" in page
    assert "Staf A Dua" in page and "Baik" in page and "Kalender" not in page  # BKD reviews nobody here
    assert october.agency_a.short_name in page and ">Pemerintah Kota Uji</a>" in page  # breadcrumbs


def test_month_ahead_falls_back_to_the_current_month(client, org, today):
    login(client, org.bkd_admin)
    page = client.get("/admin/dasbor?bulan=2027-05").get_data(as_text=True)
    assert "November 2026" in page and "sampai 23 November 2026" in page


def test_a_head_sees_the_calendar_of_those_they_appraise(client, october, today):
    login(client, october.head_a)
    page = client.get(f"/admin/dasbor/unit/{unit_of(october.agency_a, '01.01').id}?bulan=2026-10")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"/pemeriksaan/pegawai/{october.appraiser_a.id}/2026-10" in text
    assert f"/pemeriksaan/pegawai/{october.staff_a.id}/" not in text
    assert "Pemerintah Kota Uji</a>" not in text  # no way up to the regency


@pytest.mark.parametrize(("who", "regency", "own", "other", "own_unit", "other_unit"), [
    ("bkd_admin", 200, 200, 200, 200, 200),
    ("superadmin", 200, 200, 200, 200, 200),
    ("agency_admin_a", 403, 200, 404, 200, 404),
    ("head_a", 403, 200, 404, 200, 404),
    ("staff_a", 403, 404, 404, 404, 404),
])
def test_who_sees_which_level(client, org, today, who, regency, own, other, own_unit, other_unit):
    login(client, getattr(org, who))
    b_unit = unit_of(org.agency_b, "01")
    assert client.get("/admin/dasbor").status_code == regency
    assert client.get("/admin/dasbor.xlsx").status_code == regency
    assert client.get(f"/admin/dasbor/opd/{org.agency_a.id}").status_code == own
    assert client.get(f"/admin/dasbor/opd/{org.agency_a.id}.xlsx").status_code == own
    assert client.get(f"/admin/dasbor/opd/{org.agency_b.id}").status_code == other
    assert client.get(f"/admin/dasbor/opd/{org.agency_b.id}.xlsx").status_code == other
    assert client.get(f"/admin/dasbor/unit/{unit_of(org.agency_a, '01.01').id}").status_code == own_unit
    assert client.get(f"/admin/dasbor/unit/{b_unit.id}").status_code == other_unit


def test_signed_out_visitors_are_sent_to_sign_in(client, org):
    assert client.get("/admin/dasbor").status_code == 302
    assert client.get(f"/admin/dasbor/opd/{org.agency_a.id}").status_code == 302
    assert client.get("/admin/dasbor/unit/999999").status_code == 302


def test_unknown_unit_or_agency_is_404(client, org, today):
    login(client, org.bkd_admin)
    assert client.get("/admin/dasbor/unit/999999").status_code == 404
    assert client.get("/admin/dasbor/opd/999999").status_code == 404


def test_sorted_page_marks_the_column(client, october, today):
    login(client, october.bkd_admin)
    page = client.get("/admin/dasbor?bulan=2026-10&urut=mengisi").get_data(as_text=True)
    assert 'aria-sort="ascending"' in page
    assert page.index('data-agency="B"') < page.index('data-agency="A"')  # 1 of 44 days filed, then 7 of 130
    assert "urut=-mengisi" in page  # the same header now sorts the other way


# --- Export ----------------------------------------------------------------------------------------------------


def header_index(sheet, row: int = 4) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[row] if cell.value}


def test_regency_export_has_numbers_and_percent_formats(client, october, today):
    factories.AgencyFactory(code="C", name="=HYPERLINK(\"http://x\",\"klik\")", short_name="@SUM(1)")
    _db.session.commit()
    login(client, october.bkd_admin)
    response = client.get("/admin/dasbor.xlsx?bulan=2026-10")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "dasbor-2026-10.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data))["Per OPD"]
    columns = header_index(sheet)
    a = {name: sheet.cell(row=5, column=column) for name, column in columns.items()}
    assert a["Kode"].value == "A" and a["OPD"].value == "Dinas A" and a["Pegawai"].value == 6
    assert a["Mengisi (%)"].value == pytest.approx(7 / 130, abs=1e-4) and a["Mengisi (%)"].number_format == "0.0%"
    assert a["Persetujuan (%)"].value == 0.625 and a["WFO (%)"].value == 0.625 and a["DL (%)"].value == 0.25
    assert a["Menunggu"].value == 2 and a["Menunggu terlama (hari)"].value == 10
    assert a["Sangat Baik"].value == 1 and a["Baik"].value == 1 and a["Kurang"].value == 0
    hostile = sheet.cell(row=7, column=columns["OPD"])
    assert hostile.value.startswith("'=HYPERLINK") and hostile.data_type == "s"
    totals = [cell.value for cell in sheet[8]]
    assert totals[1] == "Jumlah" and totals[2] == 8 and sheet.cell(row=9, column=1).value is None


def test_agency_export_has_units_and_staff(client, october, today):
    login(client, october.agency_admin_a)
    response = client.get(f"/admin/dasbor/opd/{october.agency_a.id}.xlsx?bulan=2026-10")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Per unit kerja", "Per pegawai"]
    units = workbook["Per unit kerja"]
    assert [units.cell(row=row, column=2).value for row in range(5, 9)] == [
        "Sekretariat A", "  Seksi A1", "  Seksi A2", "Jumlah"]
    staff = workbook["Per pegawai"]
    columns = header_index(staff)
    row = next(row for row in range(5, 12) if staff.cell(row=row, column=2).value == "Staf A Dua")
    assert staff.cell(row=row, column=1).value == october.staff_a2.id_number
    assert staff.cell(row=row, column=columns["Hari kerja"]).value == 20
    assert staff.cell(row=row, column=columns["Menunggu"]).value == 2
    staf = next(row for row in range(5, 12) if staff.cell(row=row, column=2).value == "Staf A")
    assert staff.cell(row=staf, column=columns["Predikat"]).value == "Baik"
    assert staff.cell(row=staf, column=columns["Menit (%)"]).number_format == "0.0%"


# --- Charts ----------------------------------------------------------------------------------------------------


def test_charts_escape_labels_and_carry_tooltips(app):
    with app.test_request_context():
        check_charts()


def check_charts() -> None:
    svg = str(bar_chart("c1", "Grafik <uji>", [Series("Isi", "#000")], [Item("<script>x</script>", [150.0])]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'aria-label="Grafik &lt;uji&gt;"' in svg
    assert 'role="img"' in svg and "<title>&lt;script&gt;x&lt;/script&gt; · Isi: 150%</title>" in svg
    assert 'width="308.0"' in svg  # 150% fills the track: the scale grows past 100 when a value does
    stacked = str(stacked_chart("c2", "Lokasi", [Series("WFO", "#111"), Series("WFH", "#222")],
                                [Item("Dinas", [3, 1]), Item("Kosong", [0, 0])], "Belum ada"))
    assert 'width="270.0"' in stacked and 'width="90.0"' in stacked and "Belum ada" in stacked
    assert "WFO: 3 (75%)" in stacked


# --- Queries ---------------------------------------------------------------------------------------------------


def grow(agency_id: int, appraiser_id: int, size: int) -> None:
    """`size` more staff in Seksi A1 and `size` more agencies with a unit and one employee, all with activities."""
    section = _db.session.query(Unit).filter_by(agency_id=agency_id, code="01.01").one()
    appraiser = _db.session.get(Employee, appraiser_id)
    for number in range(size):
        for employee in (factories.staff_member(section, appraiser),
                         factories.staff_member(factories.UnitFactory(agency=factories.AgencyFactory()), None)):
            activity(employee, 5 + number % 3, ActivityStatus.SUBMITTED,
                     submitted=datetime(2026, 11, 2, 3, 0, tzinfo=UTC))
            rate(employee, Predikat.GOOD)
    _db.session.commit()


def queries_for(client, url: str) -> int:
    _db.session.remove()
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("month", ["2026-10", "2026-11"])
def test_queries_do_not_grow_with_agencies_or_staff(client, october, today, month):
    agency_id, appraiser_id = october.agency_a.id, october.appraiser_a.id
    section = unit_of(october.agency_a, "01.01")
    urls = ["/admin/dasbor", f"/admin/dasbor/opd/{agency_id}", f"/admin/dasbor/unit/{section.id}",
            "/admin/dasbor.xlsx", f"/admin/dasbor/opd/{agency_id}.xlsx"]
    login(client, october.bkd_admin)
    before = [queries_for(client, f"{url}?bulan={month}") for url in urls]
    grow(agency_id, appraiser_id, 8)
    after = [queries_for(client, f"{url}?bulan={month}") for url in urls]
    assert after == before


def test_the_dashboard_reads_in_english(client, october, today):
    login(client, october.bkd_admin)
    assert client.post("/bahasa", data={"language": "en"}).status_code == 302
    page = client.get("/admin/dasbor?bulan=2026-10").get_data(as_text=True)
    assert 'lang="en"' in page and "October 2026" in page and "5.4" in page
    assert '<abbr title="Very good">VG</abbr>' in page  # the predikat columns, initials of the label


def test_kept_figures_say_when_they_were_read_and_perbarui_reads_them_again(client, app, october, today,
                                                                             monkeypatch):
    """With DASHBOARD_CACHE_SECONDS set (the default outside tests), a board keeps its figures a moment: a change
    shows after "Perbarui" or once they are older than the setting; the XLSX always reads afresh."""
    monkeypatch.setitem(app.config, "DASHBOARD_CACHE_SECONDS", 120)
    login(client, october.bkd_admin)
    agency_page = f"/admin/dasbor/opd/{october.agency_a.id}?bulan=2026-10"
    page = client.get(agency_page).get_data(as_text=True)
    assert 'id="dashboard-as-of"' in page and "Angka per 23 November 2026" in page
    assert "segarkan=1" in page and "bulan=2026-10" in page.split('id="dashboard-as-of"')[1]
    staff_before = dashboard.agency_dashboards(october.agency_a, OCTOBER, TODAY, BY_CODE)[0].total.approved

    activity(october.staff_a, 8, ActivityStatus.APPROVED)
    _db.session.commit()
    kept, _units = dashboard.agency_dashboards(october.agency_a, OCTOBER, TODAY, BY_CODE, kept=True)
    assert kept.total.approved == staff_before and kept.as_of is not None
    fresh, _units = dashboard.agency_dashboards(october.agency_a, OCTOBER, TODAY, BY_CODE, kept=True, fresh=True)
    assert fresh.total.approved == staff_before + 1
    assert client.get(agency_page + "&segarkan=1").status_code == 200

    activity(october.staff_a, 9, ActivityStatus.APPROVED)
    _db.session.commit()
    factories.freeze_now(monkeypatch, datetime(2026, 11, 23, 9, 3, tzinfo=UTC))  # three minutes on
    later, _units = dashboard.agency_dashboards(october.agency_a, OCTOBER, TODAY, BY_CODE, kept=True)
    assert later.total.approved == staff_before + 2


def test_kept_figures_are_summed_once_per_reading(app, october, today, monkeypatch):
    """A view of kept figures reuses the lines made from them (a regency board sums thousands of employees);
    figures read again make new lines."""
    monkeypatch.setitem(app.config, "DASHBOARD_CACHE_SECONDS", 120)
    first = dashboard.regency_dashboard(OCTOBER, TODAY, BY_CODE, kept=True)
    again = dashboard.regency_dashboard(OCTOBER, TODAY, BY_CODE, kept=True)
    assert first.lines and all(a is b for a, b in zip(first.lines, again.lines, strict=True))
    units, staff = dashboard.agency_dashboards(october.agency_a, OCTOBER, TODAY, BY_CODE, kept=True)
    units_again, staff_again = dashboard.agency_dashboards(october.agency_a, OCTOBER, TODAY, BY_CODE, kept=True)
    assert units.lines[0] is units_again.lines[0] and staff.lines[0] is staff_again.lines[0]

    activity(october.staff_a, 8, ActivityStatus.APPROVED)
    _db.session.commit()
    fresh = dashboard.regency_dashboard(OCTOBER, TODAY, BY_CODE, kept=True, fresh=True)
    assert fresh.total.approved == first.total.approved + 1
    assert not any(a is b for a, b in zip(first.lines, fresh.lines, strict=True))
    # Nothing made from the figures read before outlives them (they would stay in memory).
    kept_lists = [scope for scope, _read in app.extensions["dashboard_figures"].values()]
    kept_lists += [items for scope in kept_lists for _recap, items in scope]
    assert all(any(source is kept for kept in kept_lists)
               for source, _value in app.extensions["dashboard_derived"].values())


def test_figures_are_read_on_every_view_when_the_setting_is_zero(app, october, today):
    assert app.config["DASHBOARD_CACHE_SECONDS"] == 0
    board = dashboard.regency_dashboard(OCTOBER, TODAY, BY_CODE, kept=True)
    assert board.as_of is None
