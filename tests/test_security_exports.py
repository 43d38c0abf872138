"""Formula injection: user text in every spreadsheet and CSV the app produces stays text.

User-editable fields that reach an export are seeded with formula-like text and control characters, each
carrying a unique tag. Every export is produced through its real route or background job and read back:
no cell is a formula, a cell holding user text starts with the text as written (control characters removed)
behind an apostrophe when a spreadsheet would read it as a formula, and sheet names are clean.
`PRODUCERS` names the code that builds each file; a new workbook or CSV writer in the package that is not
listed there fails `test_every_producer_is_covered`.
"""

from __future__ import annotations

import ast
import csv
import io
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

import kinerja
from kinerja import audit, clock
from kinerja.admin import staff_import_store
from kinerja.extensions import db
from kinerja.jobs import run_job
from kinerja.models import (
    ActivityStatus,
    AttendanceKind,
    AttendanceRecord,
    BehaviourExpectation,
    BehaviourValue,
    Evaluation,
    EvaluationIndicator,
    Iki,
    Job,
    MonthlyActivity,
    Predikat,
    Rating,
    Regency,
    Rhk,
    RhkKind,
    Skp,
    SkpStatus,
    WorkMode,
)
from tests.factories import PASSWORD, ActivityFactory, EvidenceLinkFactory, Organisation, PositionFactory
from tests.test_staff_import import POSITION, row, xlsx

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments

# Formula starts and control characters a user may type or paste; {tag} makes each field findable.
PAYLOADS = (
    '=HYPERLINK("http://x","{tag}")',
    "+1+1 {tag}",
    "-2+3 {tag}",
    "@SUM(A1) {tag}",
    "\t=1 {tag}",
    "\r=1 {tag}",
    "=1|cmd {tag}",
    "\x01\x1f=2 {tag}\x7f",  # a formula hidden behind control characters
    "{tag} a\x0bb\x0cc\x1b",
)
# NUL is left out: PostgreSQL cannot store it, so it never reaches an export.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
TAG = re.compile(r"zq\d\d")
MONTH = "2026-10"


def policy(text: str) -> str:
    """What the issue asks for: control characters removed, then an apostrophe before a formula start."""
    cleaned = CONTROL.sub("", text)
    return "'" + cleaned if cleaned.startswith(FORMULA_STARTS) else cleaned


class Seeds:
    """Hands out payloads with fresh tags and remembers which field got which."""

    def __init__(self) -> None:
        self.by_tag: dict[str, tuple[str, str]] = {}

    def __call__(self, field: str, limit: int = 200, *, template: str | None = None) -> str:
        tag = f"zq{len(self.by_tag):02d}"
        text = (template or PAYLOADS[len(self.by_tag) % len(PAYLOADS)]).format(tag=tag)[:limit]
        assert tag in text
        self.by_tag[tag] = (field, text)
        return text

    def tags_of(self, *fields: str) -> set[str]:
        return {tag for tag, (field, _text) in self.by_tag.items() if field in fields}


def seed(org: Organisation) -> Seeds:
    """Formula-like text in every user-editable field that an export shows."""
    s = Seeds()
    regency = db.session.scalar(select(Regency))
    regency.name, regency.signature_city = s("regency.name", 150), s("regency.signature_city", 80)
    agency = org.agency_a
    agency.name = s("agency.name", 150)
    # Also a sheet name: Excel forbids [ ] : * ? / \ there.
    agency.short_name = s("agency.short_name", 40, template="=D[1]:*?/\\ {tag}\x01")
    org.staff_a.bank_name, org.staff_a.bank_account = s("employee.bank_name", 60), "001234567890"
    for employee in (org.staff_a, org.appraiser_a, org.head_a):
        employee.name = s("employee.name", 120)
        employee.front_title, employee.back_title = "", s("employee.back_title", 60)
        assignment = employee.assignments[0]
        assignment.unit.name = s("unit.name", 150)
        assignment.position.name = s("position.name", 150)
    seed_work(org, s)
    seed_skp(org, s)
    db.session.add(AttendanceRecord(
        employee_id=org.staff_a.id, agency_id=agency.id, day=date(2026, 10, 5), kind=AttendanceKind.IN,
        at=datetime(2026, 10, 5, 0, 30, tzinfo=UTC), mode=WorkMode.DL, latitude=-6.87, longitude=107.54,
        accuracy_m=10.0, assignment_letter=s("attendance.assignment_letter", 80)))
    audit.record(org.bkd_admin, audit.Change("activity", 1, "return", "submitted", "returned", agency.id,
                                             reason=s("audit.reason", 1000)))
    db.session.commit()
    return s


def seed_work(org: Organisation, s: Seeds) -> None:
    for number in range(3):
        activity = ActivityFactory(
            employee=org.staff_a, activity_date=date(2026, 10, 5 + number), start_time=time(8, 0),
            end_time=time(9, 30), status=ActivityStatus.APPROVED, description=s("activity.description", 2000),
            unit=s("activity.unit", 40), assignment_letter=s("activity.assignment_letter", 80),
            work_mode=WorkMode.DL)
        EvidenceLinkFactory(activity=activity, url="https://x.go.id/" + s("evidence.url", 400))
    # No export shows monthly activities today; seeded so that one that starts to is checked as well.
    db.session.add(MonthlyActivity(
        employee_id=org.staff_a.id, year=2026, month=10, planned_action=s("monthly.planned_action", 2000),
        quantity=Decimal(1), unit=s("monthly.unit", 40), adjustment=Decimal(1),
        adjustment_reason=s("monthly.adjustment_reason", 500), evidence_url=s("monthly.evidence_url", 500),
        note=s("monthly.note"), feedback=s("monthly.feedback"), status=ActivityStatus.APPROVED))


def seed_skp(org: Organisation, s: Seeds) -> None:
    iki = Iki(text=s("iki.text"), target_value=Decimal(12), unit=s("iki.unit", 40))
    skp = Skp(employee_id=org.staff_a.id, appraiser_id=org.appraiser_a.id, period_start=date(2026, 1, 1),
              period_end=date(2026, 12, 31), status=SkpStatus.APPROVED, agency_goal=s("skp.agency_goal"),
              dukungan_sumber_daya=s("skp.dukungan"), skema_pertanggungjawaban=s("skp.skema"),
              konsekuensi=s("skp.konsekuensi"),
              rhk=[Rhk(kind=RhkKind.MAIN, text=s("rhk.text"), position=1, indicators=[iki])],
              behaviours=[BehaviourExpectation(value=value, expectation=s("behaviour.expectation"))
                          for value in BehaviourValue])
    db.session.add(skp)
    db.session.flush()
    db.session.add(Evaluation(
        employee_id=org.staff_a.id, skp_id=skp.id, year=2026, month=10, rating_result=Rating.AS_EXPECTED,
        rating_behaviour=Rating.AS_EXPECTED, predikat=Predikat.GOOD, indicators=[EvaluationIndicator(
            iki_id=iki.id, note=s("evaluation.note"), feedback=s("evaluation.feedback"))]))


# --- producing the exports -------------------------------------------------------------------------------------


def sign_in(client: FlaskClient, identifier: str) -> None:
    client.post("/keluar")
    assert client.post("/masuk", data={"identifier": identifier, "password": PASSWORD}).status_code == 302


def fetch(client: FlaskClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.data


def job_file(client: FlaskClient, app, export: str, agency_id: int | None) -> bytes:
    """Start an export as the page does and run its job as the worker would."""
    form = {"export": export, "month": MONTH, **({"agency_id": agency_id} if agency_id else {})}
    assert client.post("/laporan/ekspor", data=form).status_code == 302
    job = db.session.scalar(select(Job).where(Job.kind != "prerender").order_by(Job.created_at.desc()))
    db.session.commit()
    run_job(job.id)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.result_path, job.error
    return (Path(app.config["REPORT_FOLDER"]) / job.result_path).read_bytes()


def tpp_job(client: FlaskClient, export: str, org: Organisation, *, regency: bool = False) -> bytes:
    """A TPP output of agency A's month (or the regency's), started from its TPP page and run as the worker
    would."""
    from kinerja.models import TppRuleSet
    from kinerja.tpp.rules import save_rule_set
    from tests.tpp_samples import example_rules

    if db.session.scalar(select(TppRuleSet.id)) is None:
        save_rule_set(org.bkd_admin, example_rules())
    page = f"/tpp/{MONTH}" if regency else f"/tpp/{MONTH}/opd/{org.agency_a.id}"
    response = client.post(f"{page}/ekspor", data={"export": export})
    assert response.status_code == 302 and response.headers["Location"].startswith("/tugas/")
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    run_job(job_id)
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.result_path, job.error
    return (Path(client.application.config["REPORT_FOLDER"]) / job.result_path).read_bytes()


def demo_staff_sample(app) -> bytes:
    """The demo's staff import sample, written by its command (`flask demo-staff-sample FILE`)."""
    from kinerja.demo.commands import staff_sample_command

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contoh.xlsx"
        result = app.test_cli_runner().invoke(staff_sample_command, [str(path)])
        assert result.exit_code == 0, result.output
        return path.read_bytes()


def staff_passwords(client: FlaskClient, org: Organisation, s: Seeds) -> bytes:
    PositionFactory(name=POSITION)
    db.session.commit()
    # Typed into the uploaded sheet, where a leading = would make a formula cell rather than text.
    name = s("import.name", 120, template="@SUM(A1)+1 {tag}")
    token = staff_import_store.stage(org.bkd_admin, xlsx([row(1, Nama=name, **{"Unit kerja": "01.01"})]))
    page = client.post("/admin/impor-pegawai/simpan", data={
        "token": token, "effective_date": clock.today().isoformat(), "file_name": "p.xlsx"}).get_data(as_text=True)
    form = page.split('action="/admin/impor-pegawai/kata-sandi-awal"')[1]
    download = form.split('name="token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/admin/impor-pegawai/kata-sandi-awal", data={"token": download})
    assert response.status_code == 200
    return response.data


@dataclass(frozen=True)
class Export:
    """How to produce one export (as whom) and which seeded fields must show in it."""

    who: str
    produce: Callable[..., bytes]
    fields: tuple[str, ...]
    kind: str = "xlsx"
    agency_sheet: bool = False  # a sheet is named after the agency (its short name holds [ ] : * ? / \)


PEOPLE = ("employee.name", "employee.back_title", "unit.name", "position.name")
WORK = ("activity.description", "activity.unit")
BKN = ("employee.name", *WORK, "evidence.url")
PLAN = (*PEOPLE, "regency.signature_city", "rhk.text", "iki.text", "iki.unit", "behaviour.expectation",
        "skp.agency_goal")


def skp_id(org) -> int:
    return db.session.scalar(select(Skp.id).where(Skp.employee_id == org.staff_a.id))


def employee_url(org, suffix: str) -> str:
    return f"/laporan/pegawai/{org.staff_a.id}/{MONTH}{suffix}"


EXPORTS: dict[str, Export] = {
    "employee_xlsx": Export("bkd", lambda c, a, o, s: fetch(c, employee_url(o, ".xlsx")),
                            (*PEOPLE, *WORK, "regency.signature_city", "rhk.text", "iki.text", "iki.unit",
                             "evaluation.note", "evaluation.feedback")),
    "employee_bkn": Export("bkd", lambda c, a, o, s: fetch(c, employee_url(o, "/bkn.xlsx")), BKN),
    "recap_job": Export("bkd", lambda c, a, o, s: job_file(c, a, "recap_xlsx", o.agency_a.id),
                        (*PEOPLE, "agency.name", "regency.signature_city"), agency_sheet=True),
    "regency_job": Export("bkd", lambda c, a, o, s: job_file(c, a, "regency_xlsx", None),
                          (*PEOPLE, "agency.name", "regency.name"), agency_sheet=True),
    "bkn_job": Export("bkd", lambda c, a, o, s: job_file(c, a, "bkn", o.agency_a.id), BKN),
    "regency_bkn_job": Export("bkd", lambda c, a, o, s: job_file(c, a, "regency_bkn", None), BKN),
    "skp_plan": Export("staff_a", lambda c, a, o, s: fetch(c, f"/skp/{skp_id(o)}/dokumen.xlsx"),
                       (*PLAN, "skp.dukungan", "skp.skema", "skp.konsekuensi")),
    "skp_evaluation": Export("staff_a", lambda c, a, o, s: fetch(c, f"/skp/{skp_id(o)}/evaluasi/{MONTH}.xlsx"),
                             (*PLAN, "evaluation.feedback")),
    "admin_dashboard": Export("bkd", lambda c, a, o, s: fetch(c, f"/admin/dasbor.xlsx?bulan={MONTH}"),
                              ("agency.name", "regency.name")),
    "admin_dashboard_agency": Export(
        "bkd", lambda c, a, o, s: fetch(c, f"/admin/dasbor/opd/{o.agency_a.id}.xlsx?bulan={MONTH}"),
        (*PEOPLE, "agency.name")),
    "attendance_month": Export(
        "bkd", lambda c, a, o, s: fetch(c, f"/presensi/opd/{o.agency_a.id}/bulan.xlsx?bulan={MONTH}"), PEOPLE,
        agency_sheet=True),
    "monitoring": Export("bkd", lambda c, a, o, s: fetch(c, f"/opd/{o.agency_a.id}/pemantauan.xlsx?bulan={MONTH}"),
                         PEOPLE, agency_sheet=True),
    "audit_xlsx": Export("bkd", lambda c, a, o, s: fetch(c, "/audit.xlsx"), ("audit.reason", "agency.short_name")),
    "audit_csv": Export("bkd", lambda c, a, o, s: fetch(c, "/audit.csv"), ("audit.reason", "agency.short_name"),
                        kind="csv"),
    "staff_import_template": Export("bkd", lambda c, a, o, s: fetch(c, "/admin/impor-pegawai/template.xlsx"),
                                    ("agency.name", "unit.name", "position.name")),
    "staff_import_sample": Export("bkd", lambda c, a, o, s: demo_staff_sample(a),
                                  ("agency.name", "unit.name", "position.name")),
    "staff_import_passwords": Export("bkd", lambda c, a, o, s: staff_passwords(c, o, s), ("import.name",)),
    "tpp_nominative_xlsx": Export("bkd", lambda c, a, o, s: tpp_job(c, "nominative_xlsx", o),
                                  ("employee.name", "employee.back_title", "position.name"), agency_sheet=True),
    "tpp_payroll_xlsx": Export("bkd", lambda c, a, o, s: tpp_job(c, "payroll_xlsx", o),
                               ("employee.name", "employee.back_title", "employee.bank_name")),
    "tpp_payroll_csv": Export("bkd", lambda c, a, o, s: tpp_job(c, "payroll_csv", o),
                              ("employee.name", "employee.back_title", "employee.bank_name"), kind="csv"),
    # Its agency sheets are named by the agencies' codes, not their short names.
    "tpp_recap_xlsx": Export("bkd", lambda c, a, o, s: tpp_job(c, "recap_xlsx", o, regency=True),
                             ("agency.name", "employee.name", "employee.back_title", "position.name")),
    # The activity import template holds no user text: it is checked for formulas only.
    "activity_import_template": Export("staff_a", lambda c, a, o, s: fetch(c, "/kegiatan/impor/templat.xlsx"), ()),
}

# Every function in the package that creates a workbook or a CSV, and the exports that exercise it.
PRODUCERS = {
    "kinerja/activities/import_template.py:build_template": {"activity_import_template"},
    "kinerja/admin/dashboard_xlsx.py:regency_workbook": {"admin_dashboard"},
    "kinerja/admin/dashboard_xlsx.py:agency_workbook": {"admin_dashboard_agency"},
    "kinerja/admin/staff_import_passwords.py:passwords_workbook": {"staff_import_passwords"},
    "kinerja/admin/staff_import_template.py:build_workbook": {"staff_import_template", "staff_import_sample"},
    "kinerja/attendance/dashboard_views.py:agency_month_xlsx": {"attendance_month"},
    "kinerja/exports.py:xlsx_bytes": {"attendance_month", "monitoring", "audit_xlsx", "staff_import_passwords",
                                      "tpp_nominative_xlsx", "tpp_payroll_xlsx"},
    "kinerja/exports.py:xlsx_sheets_bytes": {"attendance_month", "monitoring", "audit_xlsx",
                                             "staff_import_passwords", "tpp_nominative_xlsx", "tpp_payroll_xlsx",
                                             "tpp_recap_xlsx"},
    "kinerja/oversight/views.py:monitoring_xlsx": {"monitoring"},
    "kinerja/oversight/views.py:audit_export": {"audit_xlsx", "audit_csv"},
    "kinerja/reports/xlsx.py:employee_xlsx": {"employee_xlsx"},
    "kinerja/reports/xlsx.py:agency_recap_xlsx": {"recap_job"},
    "kinerja/reports/xlsx.py:_stream_workbook": {"regency_job", "bkn_job", "regency_bkn_job", "employee_bkn"},
    "kinerja/skp/document_files.py:_start": {"skp_plan", "skp_evaluation"},
    "kinerja/tpp/documents.py:nominative_xlsx": {"tpp_nominative_xlsx"},
    "kinerja/tpp/documents.py:payroll_file": {"tpp_payroll_xlsx", "tpp_payroll_csv"},
    "kinerja/tpp/documents.py:recap_xlsx": {"tpp_recap_xlsx"},
}
# Formulas the app writes itself: none (totals and percentages are computed in Python and written as values).
APP_FORMULAS: dict[str, set[str]] = {}
_CREATORS = {"Workbook", "xlsx_bytes", "xlsx_sheets_bytes", "csv_bytes", "writer", "DictWriter"}


def producers_in_package() -> set[str]:
    """`path:function` of every function calling a workbook or CSV constructor."""
    root = Path(kinerja.__file__).parent
    found = set()
    for path in sorted(root.rglob("*.py")):
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                    if name in _CREATORS:
                        found.add(f"kinerja/{path.relative_to(root).as_posix()}:{function.name}")
    return found


def test_every_producer_is_covered():
    # exports.csv_bytes builds on csv.writer; it is exercised through oversight.audit_export.
    assert producers_in_package() - {"kinerja/exports.py:csv_bytes"} == set(PRODUCERS)
    assert set().union(*PRODUCERS.values()) <= set(EXPORTS)


# --- reading them back -----------------------------------------------------------------------------------------


def xlsx_cells(content: bytes) -> tuple[list[str], list[tuple[str, object, str]]]:
    """Sheet names and (where, value, data type) of every cell."""
    book = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                if cell.value is not None:
                    cells.append((f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type))
    return book.sheetnames, cells


def csv_cells(content: bytes) -> list[tuple[str, object, str]]:
    text = content.decode("utf-8-sig")
    return [(f"row {number} col {column}", value, "s")
            for number, line in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
            for column, value in enumerate(line, start=1) if value]


def problems_in(name: str, cells: list[tuple[str, object, str]], seeds: Seeds) -> tuple[list[str], set[str]]:
    """What breaks the policy, and which seeded fields were found."""
    problems, seen = [], set()
    for where, value, data_type in cells:
        if data_type == "f" and str(value) not in APP_FORMULAS.get(name, set()):
            problems.append(f"{where}: formula {value!r}")
        if not isinstance(value, str):
            continue
        if CONTROL.search(value):
            problems.append(f"{where}: control character in {value!r}")
        for tag in TAG.findall(value):
            if tag not in seeds.by_tag:
                continue
            seen.add(seeds.by_tag[tag][0])
            if value.startswith(FORMULA_STARTS):
                problems.append(f"{where}: starts like a formula: {value!r}")
            expected = policy(seeds.by_tag[tag][1])
            if value.lstrip("'") == expected.lstrip("'") and value != expected:
                problems.append(f"{where}: {value!r}, expected {expected!r}")
    return problems, seen


def sheet_name_problems(names: list[str]) -> list[str]:
    return [name for name in names if SHEET_FORBIDDEN.search(name) or CONTROL.search(name) or len(name) > 31
            or name.startswith("'") or name.endswith("'") or not name]


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_user_text_stays_text_in_every_export(app, client, org, name):
    seeds = seed(org)
    export = EXPORTS[name]
    sign_in(client, "admin.bkd" if export.who == "bkd" else org.staff_a.id_number)
    content = export.produce(client, app, org, seeds)
    if export.kind == "csv":
        sheets, cells = [], csv_cells(content)
    else:
        sheets, cells = xlsx_cells(content)
    problems, seen = problems_in(name, cells, seeds)
    assert problems == []
    assert sheet_name_problems(sheets) == []
    short_name_tag = seeds.tags_of("agency.short_name").pop()
    assert any(short_name_tag in sheet for sheet in sheets) == export.agency_sheet, sheets
    assert set(export.fields) - seen == set(), f"seeded fields missing from {name}; found {sorted(seen)}"


def test_the_policy_matches_the_issue():
    assert policy('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert policy("\x01\x1f=2") == "'=2"
    assert policy("\t=1") == "'\t=1"
    assert policy("a\x0bb") == "ab"
    assert policy("Menyusun laporan") == "Menyusun laporan"
