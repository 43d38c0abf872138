"""Other agencies' (and other people's) object ids on every route answer 404 and change nothing.

The test walks `app.url_map`: every rule that takes an object id is requested, with every method, by each
role scoped to agency A (staff, appraiser, agency admin, agency head) with the ids of agency B's objects, and
by staff and appraisers of A with the ids of colleagues outside their scope. The answer must be 404, or a
role gate's 403 that is the same for an id that does not exist; a state-changing request must leave every
table as it was. A positive control opens the same GET URLs as people in B's scope, so the 404s come from
scoping. A rule with a parameter that is neither in `PARAMETER_KINDS` nor in `ALLOWED_WITHOUT_SCOPE` fails
`test_every_rule_with_an_object_parameter_is_mapped`, so a new route is noticed.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from werkzeug.routing import AnyConverter, Rule

from kinerja.api.tokens import issue as issue_token
from kinerja.converters import DayConverter, MonthConverter
from kinerja.extensions import db
from kinerja.models import (
    ActingAssignment,
    ActivityStatus,
    ActivityTemplate,
    Agency,
    AttendanceCorrection,
    AttendanceDevice,
    AttendanceFlag,
    AttendanceKind,
    AttendanceRecord,
    CapReason,
    Channel,
    CorrectionKind,
    DevicePin,
    Employee,
    Evaluation,
    Evidence,
    EvidenceKind,
    FlagKind,
    Iki,
    Job,
    JobStatus,
    Leave,
    LeaveKind,
    MessageStatus,
    MonthlyActivity,
    Notification,
    OutboundMessage,
    ReportDocument,
    Rhk,
    RhkKind,
    Role,
    Roster,
    RosterEntry,
    SignedDocument,
    Skp,
    SkpStatus,
    Unit,
    User,
    WfoCap,
    WorkMode,
)
from tests import factories
from tests.factories import PASSWORD, Organisation

# Which object each URL parameter names. Every rule parameter must be here or in ALLOWED_WITHOUT_SCOPE.
PARAMETER_KINDS = {
    "activity_id": "activity",
    "evidence_id": "evidence",
    "template_id": "template",
    "item_id": "monthly",
    "leave_id": "leave",
    "acting_id": "acting",
    "agency_id": "agency",
    "unit_id": "unit",
    "office_id": "office",
    "position_id": "position",
    "employee_id": "employee",
    "user_id": "user",
    "role_id": "user_role",
    "flag_id": "flag",
    "record_id": "attendance",
    "job_id": "job",
    "notification_id": "notification",
    "cap_id": "cap",
    "roster_id": "roster",
    "skp_id": "skp",
    "rhk_id": "rhk",
    "iki_id": "iki",
    "token_id": "token",
    "correction_id": "correction",
    "device_id": "device",
    "pin_id": "pin",
    "document_id": "report_document",
    "message_id": "message",
}

# Parameters that are not object ids: a fixed, valid value is used.
FIXED_VALUES = {
    ("skp.evaluate", "month"): "2026-11",
    ("skp.evaluation_document", "periode"): "2026-11",
    ("signatures.signed_file", "version"): 1,
    ("signatures.skp_evaluation", "periode"): "2026-11",
}

# Rules whose parameters carry no object of a scoped owner, with the reason.
ALLOWED_WITHOUT_SCOPE = {
    "static": "public assets by file name",
    "api_meta.unknown": "the API's catch-all 404 for unknown paths",
    # A public page by design: a printed report's QR code leads anyone to it by an unguessable code. It is
    # the public route to a stored report (ReportDocument); the signing pages (/tte/laporan/<id>) are scoped.
    "reports.verify": "verification page by public code",
    # The regency's TPP rules and BKD's register of disciplinary penalties: BKD-only pages (403 to every other
    # role, whatever the id); no agency owns a rule set, and a penalty is only ever reached through BKD.
    "tpp.rule_set": "BKD-only TPP rules of the whole regency",
    "tpp.delete_penalty": "BKD-only register of disciplinary penalties",
    # Check-in sessions are the regency's, set by BKD only (403 to every other role, whatever the id).
    "attendance.sessions": "BKD-only check-in sessions of the whole regency",
    "attendance.delete_session": "BKD-only check-in sessions of the whole regency",
    # The message outbox is the regency's, resent by BKD only (403 to every other role, whatever the id).
    "messaging.retry": "BKD-only delivery log of WhatsApp/Telegram messages",
}

# Roles of agency A: (who signs in, whose objects are requested).
CASES = [
    ("staff_a", "b"),
    ("appraiser_a", "b"),
    ("head_a", "b"),
    ("agency_admin_a", "b"),
    ("staff_a", "peer"),  # another staff member of the same section
    ("appraiser_a", "other_unit"),  # staff of another appraiser in the same agency
]

MISSING_ID = 2_000_000_000
MISSING_JOB = "f" * 32
DAY = date(2026, 11, 17)
MONTH = date(2026, 11, 1)
# Volatile bookkeeping that a signed-in request may touch: not a change to the requested object.
VOLATILE_COLUMNS = {("api_token", "last_used_at"), ("user_account", "last_login_at")}


# Object ids by kind, for one owner (an employee) and one agency.
Ids = dict[str, int | str]


def object_rules(app: Flask) -> list[Rule]:
    """Every rule with a parameter other than a day, a month or a fixed choice (any(pdf, xlsx))."""
    rules = []
    for rule in app.url_map.iter_rules():
        names = [name for name, conv in rule._converters.items()
                 if not isinstance(conv, DayConverter | MonthConverter | AnyConverter)]
        if names:
            rules.append(rule)
    return rules


def unmapped(rule: Rule) -> list[str]:
    if rule.endpoint in ALLOWED_WITHOUT_SCOPE:
        return []
    return [name for name, conv in rule._converters.items()
            if not isinstance(conv, DayConverter | MonthConverter | AnyConverter)
            and name not in PARAMETER_KINDS and (rule.endpoint, name) not in FIXED_VALUES]


def test_every_rule_with_an_object_parameter_is_mapped(app):
    missing = {rule.rule: unmapped(rule) for rule in object_rules(app) if unmapped(rule)}
    assert missing == {}


def test_the_allow_lists_name_existing_rules(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(ALLOWED_WITHOUT_SCOPE) <= endpoints
    assert {endpoint for endpoint, _name in FIXED_VALUES} <= endpoints


# --- the two agencies' objects --------------------------------------------------------------------------------


def write_file(app: Flask, relative: str) -> None:
    path = Path(app.config["UPLOAD_FOLDER"]) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff\xe0bukti")


def plan(employee: Employee, appraiser: Employee | None, status: SkpStatus) -> Skp:
    """A year's SKP with one RHK and one indicator."""
    iki = Iki(text="Jumlah dokumen", target_value=Decimal(12), unit="dokumen")
    return Skp(employee_id=employee.id, appraiser_id=appraiser.id if appraiser else None,
               period_start=date(2026, 1, 1), period_end=date(2026, 12, 31), status=status,
               rhk=[Rhk(kind=RhkKind.MAIN, text="RHK uji", position=1, indicators=[iki])])


def employee_objects(app: Flask, employee: Employee, appraiser: Employee | None) -> Ids:
    """A full set of objects owned by one employee, submitted so reviewers would see them."""
    user = db.session.scalar(select(User).where(User.employee_id == employee.id))
    assignment = employee.assignments[0]
    activity = factories.ActivityFactory(employee=employee, activity_date=DAY, status=ActivityStatus.SUBMITTED)
    stored = uuid.uuid4().hex
    evidence = Evidence(activity_id=activity.id, kind=EvidenceKind.FILE, original_name="bukti.jpg", stored_name=stored,
                        content_type="image/jpeg", size_bytes=9)
    write_file(app, f"evidence/{stored[:2]}/{stored}")
    template = ActivityTemplate(employee_id=employee.id, description="Templat", duration_minutes=60,
                                quantity=Decimal(1), unit="dokumen", work_mode=WorkMode.WFO,
                                category=activity.category)
    # The approved plan is evaluated; its submitted revision waits for the appraiser.
    approved = plan(employee, appraiser, SkpStatus.APPROVED)
    skp = plan(employee, appraiser, SkpStatus.SUBMITTED)
    skp.version, skp.previous_version = 2, approved
    rhk = skp.rhk[0]
    iki = rhk.indicators[0]
    monthly = MonthlyActivity(employee_id=employee.id, year=2026, month=11, planned_action="Rencana",
                              quantity=Decimal(1), unit="dokumen", status=ActivityStatus.SUBMITTED)
    leave = Leave(employee_id=employee.id, kind=LeaveKind.CUTI, start_date=date(2026, 11, 9),
                  end_date=date(2026, 11, 10))
    selfie = uuid.uuid4().hex
    write_file(app, f"selfies/{selfie}")
    record = AttendanceRecord(employee_id=employee.id, agency_id=assignment.agency_id, day=DAY,
                              kind=AttendanceKind.IN, at=datetime(2026, 11, 17, 0, 30, tzinfo=UTC),
                              mode=WorkMode.WFO, latitude=-6.87, longitude=107.54, accuracy_m=12.0,
                              selfie_name=selfie)
    flag = AttendanceFlag(record=record, kind=FlagKind.EXACT_ACCURACY, detail='{"accuracy": 0}')
    job = Job(id=uuid.uuid4().hex, kind="reports.export", title="Uji", requested_by=user.id,
              status=JobStatus.DONE, result_path=f"{selfie}.xlsx", result_name="laporan.xlsx")
    (Path(app.config["REPORT_FOLDER"]) / f"{selfie}.xlsx").write_bytes(b"PK")
    notification = Notification(user_id=user.id, kind="activity_returned", params="{}", link="/kegiatan/")
    correction = AttendanceCorrection(employee_id=employee.id, agency_id=assignment.agency_id, day=DAY,
                                      kind=CorrectionKind.FORGOT_OUT, check_out=time(16, 5), reason="Lupa")
    db.session.add_all([activity, evidence, template, approved, skp, monthly, leave, record, flag, job, notification,
                        correction])
    db.session.flush()
    evaluation = Evaluation(employee_id=employee.id, skp_id=approved.id, year=2026, month=11)
    # October's stored report (opening November's signing page renders November's, superseding others of it).
    report = ReportDocument(code=uuid.uuid4().hex[:9].upper(), kind="employee_pdf", employee_id=employee.id,
                            year=2026, month=10, data_hash="0" * 64, draft=False, stored_name=f"{selfie}.pdf")
    store_folder = Path(app.config["REPORT_FOLDER"]) / "store" / "2026-10"
    store_folder.mkdir(parents=True, exist_ok=True)
    (store_folder / f"{selfie}.pdf").write_bytes(b"%PDF")
    db.session.add_all([evaluation, report])
    db.session.flush()
    db.session.add(SignedDocument(report_document_id=report.id, version=1, mode="local", signer_name="Uji",
                                  stored_name=f"{selfie}.pdf", size_bytes=4, sha256="0" * 64))
    signed_folder = Path(app.config["REPORT_FOLDER"]) / "signed" / "2026-10"
    signed_folder.mkdir(parents=True, exist_ok=True)
    (signed_folder / f"{selfie}.pdf").write_bytes(b"%PDF")
    db.session.flush()
    message = OutboundMessage(key=f"scope-{employee.id}", user_id=user.id, channel=Channel.WHATSAPP,
                              address="6281234567890", kind="waiting", body="Kinerja: uji",
                              status=MessageStatus.FAILED, attempts=1, last_error="HTTP 500")
    db.session.add(message)
    db.session.flush()
    token = issue_token(employee.id_number, PASSWORD, "uji").token
    return {
        "employee": employee.id, "user": user.id, "user_role": user.roles[0].id, "activity": activity.id,
        "evidence": evidence.id, "template": template.id, "monthly": monthly.id, "leave": leave.id,
        "skp": skp.id, "rhk": rhk.id, "iki": iki.id, "attendance": record.id, "flag": flag.id, "job": job.id,
        "notification": notification.id, "token": token.id, "correction": correction.id,
        "report_document": report.id, "message": message.id,
    }


def agency_objects(agency: Agency, acting: Employee, absent: Employee) -> Ids:
    """An agency's own objects: units, offices, rosters, WFO caps, acting assignments."""
    agency_id = agency.id
    unit = db.session.scalar(select(Unit).where(Unit.agency_id == agency_id))
    office = factories.OfficeFactory(agency=agency)
    roster = Roster(agency_id=agency_id, start_date=date(2026, 11, 16), end_date=date(2026, 11, 20))
    roster.entries = [RosterEntry(employee_id=absent.id, day=DAY, mode=WorkMode.WFO)]
    cap = WfoCap(agency_id=agency_id, percent=50, valid_from=date(2026, 11, 1), reason_kind=CapReason.OTHER)
    acting_assignment = ActingAssignment(acting_id=acting.id, absent_id=absent.id, valid_from=date(2026, 11, 1),
                                         valid_to=date(2026, 12, 31), decree_number="800/1")
    db.session.add_all([roster, cap, acting_assignment])
    db.session.flush()
    device = AttendanceDevice(serial_number=f"SCOPE{agency_id:05d}", agency_id=agency_id, office_id=office.id,
                              name="Mesin", timezone="Asia/Jakarta", registered_at=datetime(2026, 11, 1, tzinfo=UTC))
    pin = DevicePin(agency_id=agency_id, pin="7001", employee_id=absent.id)
    db.session.add_all([device, pin])
    db.session.flush()
    position = absent.assignments[0].position_id
    return {"agency": agency_id, "unit": unit.id, "office": office.id, "roster": roster.id, "cap": cap.id,
            "acting": acting_assignment.id, "position": position, "device": device.id, "pin": pin.id}


def build_worlds(app: Flask, org: Organisation) -> dict[str, Ids]:
    """Agency B's objects, and objects of A's staff that a colleague may not open."""
    factories.UserFactory(username="admin.b", roles=[(Role.AGENCY_ADMIN, org.agency_b)])
    b_agency = agency_objects(org.agency_b, org.head_b, org.staff_b)
    worlds = {
        "b": {**b_agency, **employee_objects(app, org.staff_b, org.head_b)},
        "peer": {**b_agency, **employee_objects(app, org.staff_a2, org.appraiser_a)},
        "other_unit": {**b_agency, **employee_objects(app, org.other_staff_a, org.other_appraiser_a)},
    }
    db.session.commit()
    return worlds


# --- requests -------------------------------------------------------------------------------------------------


def url_values(rule: Rule, ids: Ids, missing: bool = False) -> dict:
    values: dict = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, DayConverter):
            values[name] = DAY
        elif isinstance(converter, MonthConverter):
            values[name] = MONTH
        elif isinstance(converter, AnyConverter):
            values[name] = min(converter.items)
        elif (rule.endpoint, name) in FIXED_VALUES:
            values[name] = FIXED_VALUES[(rule.endpoint, name)]
        else:
            kind = PARAMETER_KINDS[name]
            values[name] = (MISSING_JOB if kind == "job" else MISSING_ID) if missing else ids[kind]
    return values


def build_url(app: Flask, rule: Rule, values: dict) -> str:
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        return adapter.build(rule.endpoint, values, force_external=False)


def methods(rule: Rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def snapshot() -> str:
    """A digest of every row in every table, bookkeeping columns aside."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE_COLUMNS]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        digest.update(f"{table.name}:{rows!r}".encode())
    db.session.rollback()
    return digest.hexdigest()


# Valid API bodies, so that a refusal comes from the scope check and not from schema validation.
API_BODIES = {
    ("PUT", "/api/v1/activities/"): {"activity_date": DAY.isoformat(), "start_time": "10:00", "end_time": "11:00",
                                     "description": "Diubah", "quantity": 1, "unit": "dokumen"},
    ("POST", "/links"): {"url": "https://arsip.contoh.go.id/bukti"},
    ("PUT", "/api/v1/monthly-activities/"): {"planned_action": "Diubah", "unit": "dokumen"},
    ("POST", "/return"): {"reason": "Lengkapi"},
    ("POST", "/api/v1/review/monthly-activities/"): {"month": "2026-11", "approve": True, "text": "Baik"},
}


def png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(output, "PNG")
    return output.getvalue()


def api_body(method: str, url: str) -> dict:
    for (body_method, fragment), body in API_BODIES.items():
        if method == body_method and fragment in url:
            return {"json": body}
    if method == "POST" and url.endswith("/evidence"):
        return {"data": {"file": (io.BytesIO(png()), "bukti.png")}, "content_type": "multipart/form-data"}
    return {"json": {}}


# Valid web forms where a route checks its input before loading the object.
WEB_BODIES = {"/pemeriksaan/bulanan/": {"decision": "approve", "text": "Baik"}}


def web_body(url: str) -> dict:
    return next((body for fragment, body in WEB_BODIES.items() if fragment in url), {})


def request(client: FlaskClient, method: str, url: str, headers: dict):
    if url.startswith("/api/"):
        return client.open(url, method=method, headers=headers, **api_body(method, url))
    return client.open(url, method=method, headers=headers, data=web_body(url) if method != "GET" else None)


def verdict(client: FlaskClient, method: str, url: str, missing_url: str, headers: dict) -> str | None:
    """None when the answer gives nothing away, else what went wrong."""
    response = request(client, method, url, headers)
    if response.status_code == 404:
        return None
    if response.status_code in (401, 403):
        # A role gate (an admin page for staff) that answers the same for an id that does not exist does
        # not reveal the object. Redirects are not accepted: every route answers 404 first.
        probe = request(client, method, missing_url, headers)
        if (probe.status_code, probe.headers.get("Location")) == (
            response.status_code, response.headers.get("Location")
        ):
            return None
    return f"{response.status_code} {response.headers.get('Location', '')}".strip()


def signed_in(client: FlaskClient, org: Organisation, name: str) -> dict:
    """Sign the web client in as `name`; returns the API headers for the same person."""
    person = getattr(org, name)
    identifier = person.username if isinstance(person, User) else person.id_number
    return sign_in_with(client, identifier)


def sign_in_with(client: FlaskClient, identifier: str) -> dict:
    """Sign in on the web and for the API, checking both worked (else every answer would be a redirect)."""
    client.post("/masuk", data={"identifier": identifier, "password": PASSWORD})
    assert client.get("/profil").status_code == 200
    headers = {"Authorization": f"Bearer {issue_token(identifier, PASSWORD, 'uji').secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    return headers


def walk(app: Flask, ids: dict) -> Iterator[tuple[str, str, str]]:
    """(method, url, url with missing ids) for every mapped rule."""
    for rule in object_rules(app):
        if rule.endpoint in ALLOWED_WITHOUT_SCOPE:
            continue
        url = build_url(app, rule, url_values(rule, ids))
        missing_url = build_url(app, rule, url_values(rule, ids, missing=True))
        for method in methods(rule):
            yield method, url, missing_url


@pytest.mark.parametrize(("viewer", "owner"), CASES)
def test_out_of_scope_ids_are_404_and_change_nothing(app, client, org, viewer, owner):
    worlds = build_worlds(app, org)
    headers = signed_in(client, org, viewer)
    before = snapshot()
    problems = []
    for method, url, missing_url in walk(app, worlds[owner]):
        api_headers = headers if url.startswith("/api/") else {}
        problem = verdict(client, method, url, missing_url, api_headers)
        if problem:
            problems.append(f"{method} {url}: {problem}")
        if method != "GET" and snapshot() != before:
            problems.append(f"{method} {url}: changed the database")
            before = snapshot()
    assert problems == [], "\n".join(problems)


def test_agency_admin_cannot_reach_b_objects_through_own_agency_url(app, client, org):
    """/opd/<A>/unit/<B's unit>: the object must belong to the agency in the URL."""
    worlds = build_worlds(app, org)
    signed_in(client, org, "agency_admin_a")
    ids = {**worlds["b"], "agency": org.agency_a.id}
    before = snapshot()
    problems = []
    for rule in object_rules(app):
        names = set(rule._converters) & set(PARAMETER_KINDS)
        if "agency_id" not in names or len(names) < 2:
            continue
        url = build_url(app, rule, url_values(rule, ids))
        for method in methods(rule):
            response = request(client, method, url, {})
            if response.status_code != 404:
                problems.append(f"{method} {url}: {response.status_code}")
    assert problems == [], "\n".join(problems)
    assert snapshot() == before


IN_SCOPE_OF_B = ["staff_b", "head_b", "admin_b", "bkd_admin", "superadmin"]


def sign_in_as(client: FlaskClient, org: Organisation, name: str) -> dict:
    """Like `signed_in`, for B's side too (its admin has no attribute on the organisation)."""
    client.post("/keluar")
    if name != "admin_b":
        return signed_in(client, org, name)
    return sign_in_with(client, "admin.b")


def test_the_objects_are_reachable_in_scope(app, client, org):
    """Positive control: every GET rule opens B's objects for someone in B's scope, so the 404s above come
    from scoping, not from objects the routes could never find."""
    worlds = build_worlds(app, org)
    opened: dict[str, set[int]] = {}
    for viewer in IN_SCOPE_OF_B:
        headers = sign_in_as(client, org, viewer)
        for rule in object_rules(app):
            if rule.endpoint in ALLOWED_WITHOUT_SCOPE or "GET" not in rule.methods:
                continue
            url = build_url(app, rule, url_values(rule, worlds["b"]))
            response = request(client, "GET", url, headers if url.startswith("/api/") else {})
            opened.setdefault(f"{rule.endpoint} {url}", set()).add(response.status_code)
    never = sorted(key for key, statuses in opened.items() if not statuses - {401, 403, 404})
    assert never == [], "\n".join(never)
