"""Reviewing activities: the state machine, who may decide (Plh/Plt, orphans, transfers), guarded bulk
approval, review locks, the audit trail and its exports, threads, notifications, monitoring and reminders.

Today is Wednesday 18 November 2026 in Jakarta for every view and service (see the `today` fixture).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, or_, select

from kinerja import clock, notify
from kinerja.extensions import db as _db
from kinerja.models import (
    ActingAssignment,
    ActingKind,
    Activity,
    ActivityComment,
    ActivityStatus,
    Assignment,
    AuditEntry,
    Employee,
    MonthLock,
    MonthlyActivity,
    Notification,
    Unit,
    User,
)
from tests.factories import (
    PASSWORD,
    WIB,
    ActivityFactory,
    AssignmentFactory,
    EvidenceLinkFactory,
    LeaveFactory,
    activity_form,
    freeze_now,
    hm,
    staff_member,
)

TODAY = date(2026, 11, 18)  # a Wednesday
MON, TUE, SAT = date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 14)
DRAFT, SUBMITTED, APPROVED, RETURNED = (ActivityStatus.DRAFT, ActivityStatus.SUBMITTED, ActivityStatus.APPROVED,
                                        ActivityStatus.RETURNED)
LOCKED_MESSAGE = "ditutup untuk pemeriksaan"
RACE_MESSAGE = "sudah diputuskan orang lain"


# ------------------------------------------------------------------------------------------------ helpers


@pytest.fixture()
def today(monkeypatch):
    """Views and services all live on 18 November 2026 (16.00 WIB for the filing rules)."""
    freeze_now(monkeypatch, TODAY)
    return TODAY


@pytest.fixture()
def cast(org, db, today) -> dict[str, str]:
    """Sign-in names of the actors; "acting_in" stands in for appraiser A (Kepala Seksi A1) today, "acting_out"
    did so earlier."""
    unit = db.session.scalar(select(Unit).join(Assignment, Assignment.unit_id == Unit.id)
                             .where(Assignment.employee_id == org.other_appraiser_a.id))
    plh = staff_member(unit, org.head_a, name="Plh Penilai", back_title="S.E.")
    plh_old = staff_member(unit, org.head_a, name="Plh Lama")
    db.session.scalar(select(Assignment).where(Assignment.employee_id == org.appraiser_a.id)).position.name = \
        "Kepala Seksi A1"
    for acting, start, end in ((plh, date(2026, 11, 16), date(2026, 11, 20)),
                               (plh_old, date(2026, 11, 2), date(2026, 11, 10))):
        db.session.add(ActingAssignment(acting_id=acting.id, absent_id=org.appraiser_a.id, valid_from=start,
                                        valid_to=end, decree_number="800/1/2026"))
    db.session.commit()
    return {
        "owner": org.staff_a.id_number, "colleague": org.staff_a2.id_number,
        "appraiser": org.appraiser_a.id_number, "acting_in": plh.id_number, "acting_out": plh_old.id_number,
        "other_appraiser": org.other_appraiser_a.id_number, "head": org.head_a.id_number,
        "agency_admin": "admin.a", "bkd_admin": "admin.bkd",
    }


def sign_in(app, identifier: str):
    client = app.test_client()
    assert client.post("/masuk", data={"identifier": identifier, "password": PASSWORD}).status_code == 302
    return client


def item(employee: Employee, day: date = TUE, start: str = "08:00", end: str = "09:00", status=SUBMITTED,
         submitted_at: datetime | None = None, **fields) -> int:
    """An activity stored as is; submitted ones (and decided ones) carry their submission time."""
    activity = ActivityFactory(employee=employee, activity_date=day, start_time=hm(start), end_time=hm(end),
                               status=status, submitted_at=None if status is DRAFT else submitted_at or clock.utcnow(),
                               **fields)
    _db.session.commit()
    return activity.id


def status_of(db, activity_id: int) -> ActivityStatus:
    db.session.expire_all()
    return db.session.scalar(select(Activity.status).where(Activity.id == activity_id))


def statuses(db, ids) -> dict[int, ActivityStatus]:
    db.session.expire_all()
    return dict(db.session.execute(select(Activity.id, Activity.status).where(Activity.id.in_(list(ids)))).all())


def user_id(db, employee: Employee) -> int:
    return db.session.scalar(select(User.id).where(User.employee_id == employee.id))


def notices(db, employee: Employee, kind: str | None = None) -> list[Notification]:
    db.session.expire_all()
    query = select(Notification).where(Notification.user_id == user_id(db, employee)).order_by(Notification.id)
    return list(db.session.scalars(query.where(Notification.kind == kind) if kind else query))


def page(response) -> str:
    return response.get_data(as_text=True)


def decide(client, activity_id: int, action: str, **kwargs):
    path = f"/pemeriksaan/kegiatan/{activity_id}/" + ("setujui" if action == "approve" else "kembalikan")
    return client.post(path, data={} if action == "approve" else {"reason": "Lengkapi bukti dukung"}, **kwargs)


# ------------------------------------------------------------------------------------------- state machine

ACTIONS = {
    "approve": lambda c, i: c.post(f"/pemeriksaan/kegiatan/{i}/setujui"),
    "return": lambda c, i: c.post(f"/pemeriksaan/kegiatan/{i}/kembalikan", data={"reason": "Lengkapi bukti"}),
    "return_no_reason": lambda c, i: c.post(f"/pemeriksaan/kegiatan/{i}/kembalikan", data={"reason": "  "}),
    "reopen": lambda c, i: c.post(f"/pemeriksaan/kegiatan/{i}/buka-kembali", data={"reason": "Salah setuju"}),
    "withdraw": lambda c, i: c.post(f"/kegiatan/{i}/tarik"),
    "edit": None,  # needs the item's own times, see test_state_machine
}
SLOTS = {DRAFT: ("08:00", "09:00"), SUBMITTED: ("09:00", "10:00"), APPROVED: ("10:00", "11:00"),
         RETURNED: ("11:00", "12:00")}
NO = (404, 404, 404, 404)
SAME = ("=", "=", "=", "=")
# (actor, action) → outcome for an item in state (draft, submitted, approved, returned):
# 404 = not found and untouched; "=" = refused with a message, untouched; "edited" = changed, same state;
# a state = the item moved to it.
STATE_MACHINE = {
    ("owner", "approve"): NO, ("owner", "return"): NO, ("owner", "return_no_reason"): NO, ("owner", "reopen"): NO,
    ("owner", "withdraw"): ("=", "draft", "=", "="),
    ("owner", "edit"): ("edited", "=", "=", "edited"),
    **{(actor, action): NO for actor in ("colleague", "acting_out", "other_appraiser")
       for action in ("approve", "return", "return_no_reason", "reopen", "withdraw", "edit")},
    **{(actor, action): outcome for actor in ("appraiser", "acting_in") for action, outcome in (
        ("approve", ("=", "approved", "=", "=")), ("return", ("=", "returned", "=", "=")),
        ("return_no_reason", SAME), ("reopen", NO), ("withdraw", NO), ("edit", NO))},
    **{(actor, action): outcome for actor in ("agency_admin", "bkd_admin") for action, outcome in (
        ("approve", NO), ("return", NO), ("return_no_reason", NO), ("reopen", ("=", "=", "returned", "=")),
        ("withdraw", NO), ("edit", NO))},
}


@pytest.mark.parametrize(("actor", "action"), list(STATE_MACHINE))
def test_state_machine(app, db, org, cast, actor, action):
    ids = {state: item(org.staff_a, TUE, *SLOTS[state], status=state) for state in SLOTS}
    client = sign_in(app, cast[actor])
    for state, expected in zip(SLOTS, STATE_MACHINE[(actor, action)], strict=True):
        if action == "edit":
            start, end = SLOTS[state]
            response = client.post(f"/kegiatan/{ids[state]}/ubah", data=activity_form(
                start, end, description="Uraian diperbaiki", activity_date=TUE.isoformat()))
        else:
            response = ACTIONS[action](client, ids[state])
        db.session.expire_all()
        stored = db.session.get(Activity, ids[state])
        case = (state.value, actor, action)
        if expected == 404:
            assert (response.status_code, stored.status) == (404, state), case
        else:
            assert response.status_code == 302, case
            assert stored.status == (state if expected in ("=", "edited") else ActivityStatus(expected)), case
        assert (stored.description == "Uraian diperbaiki") == (expected == "edited"), case


# ---------------------------------------------------------------------------------------------- permissions

OTHER_UNIT_ROUTES = [
    ("get", "/pemeriksaan/pegawai/{owner}", None),
    ("get", "/pemeriksaan/pegawai/{owner}/2026-11", None),
    ("post", "/pemeriksaan/kegiatan/{item}/setujui", {}),
    ("post", "/pemeriksaan/kegiatan/{item}/kembalikan", {"reason": "Tidak sesuai"}),
    ("get", "/pemeriksaan/kegiatan/{item}", None),
    ("post", "/pemeriksaan/kegiatan/{item}", {"body": "Halo"}),
    ("post", "/pemeriksaan/kegiatan/{item}/buka-kembali", {"reason": "Coba"}),
]


@pytest.mark.parametrize(("method", "path", "data"), OTHER_UNIT_ROUTES)
def test_appraiser_of_another_unit_gets_404_on_every_review_route(app, db, org, today, method, path, data):
    activity_id = item(org.staff_a)
    client = sign_in(app, org.other_appraiser_a.id_number)
    url = path.format(owner=org.staff_a.id, item=activity_id)
    response = client.get(url) if method == "get" else client.post(url, data=data)
    assert response.status_code == 404
    assert status_of(db, activity_id) is SUBMITTED
    assert db.session.scalar(select(func.count(ActivityComment.id))) == 0


def test_appraiser_of_another_unit_can_neither_preview_nor_bulk_approve(app, db, org, today):
    activity_id = item(org.staff_a)
    client = sign_in(app, org.other_appraiser_a.id_number)
    preview = client.post("/pemeriksaan/pratinjau", data={"employee_id": org.staff_a.id, "month": "2026-11"})
    assert "Tidak ada kegiatan yang menunggu untuk disetujui." in page(preview)
    client.post("/pemeriksaan/setujui-massal", data={"ids": activity_id, "flagged_ok": activity_id})
    assert status_of(db, activity_id) is SUBMITTED


# (owner, decider, acting setup) → expected: nobody reviews their own items, staff never review.
WHO_DECIDES = [
    ("staff_a", "staff_a2", None, 404),  # a colleague
    ("appraiser_a", "appraiser_a", None, 404),  # one's own item
    ("appraiser_a", "head_a", None, APPROVED),  # the appraiser's own appraiser
    ("staff_a", "staff_a2", "appraiser_a", APPROVED),  # a staff member standing in for the appraiser ...
    ("staff_a2", "staff_a2", "appraiser_a", 404),  # ... still cannot approve their own items
]


@pytest.mark.parametrize(("owner", "decider", "stands_in_for", "expected"), WHO_DECIDES)
def test_who_decides(app, db, org, today, owner, decider, stands_in_for, expected):
    if stands_in_for:
        db.session.add(ActingAssignment(acting_id=getattr(org, decider).id, absent_id=getattr(org, stands_in_for).id,
                                        valid_from=MON, valid_to=TUE + timedelta(days=3), decree_number="1"))
    activity_id = item(getattr(org, owner))
    response = sign_in(app, getattr(org, decider).id_number).post(f"/pemeriksaan/kegiatan/{activity_id}/setujui")
    assert response.status_code == (404 if expected == 404 else 302)
    assert status_of(db, activity_id) is (SUBMITTED if expected == 404 else expected)


# How the Plh of the `cast` reads everywhere: their name, "Plh." and the absent appraiser's position.
PLH_FORM = "Plh Penilai, S.E., Plh. Kepala Seksi A1"

# (actor, action) → who the decision was made for, and the owner's notice
PLH_NOTICES = [
    ("acting_in", "approve", True, f"1 kegiatan Anda disetujui oleh {PLH_FORM}."),
    ("acting_in", "return", True, f"1 kegiatan Anda dikembalikan untuk diperbaiki oleh {PLH_FORM}."),
    ("appraiser", "approve", False, "1 kegiatan Anda disetujui oleh Penilai A."),
]


@pytest.mark.parametrize(("actor", "action", "as_plh", "text"), PLH_NOTICES)
def test_plh_decision_records_whom_it_stood_in_for(app, db, org, cast, actor, action, as_plh, text):
    activity_id = item(org.staff_a)
    assert decide(sign_in(app, cast[actor]), activity_id, action).status_code == 302
    stored = db.session.get(Activity, activity_id)
    assert stored.reviewed_for_id == (org.appraiser_a.id if as_plh else None)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_id == activity_id))
    assert entry.acting_for_id == stored.reviewed_for_id
    assert [notify.render(notice) for notice in notices(db, org.staff_a)] == [text]


def test_plh_decision_reads_in_the_official_form_in_history_audit_and_review_pages(app, db, org, cast):
    activity_id = item(org.staff_a)
    assert decide(sign_in(app, cast["acting_in"]), activity_id, "approve").status_code == 302
    history = page(sign_in(app, cast["owner"]).get(f"/pemeriksaan/kegiatan/{activity_id}"))
    assert f"{PLH_FORM} · Disetujui" in history
    audit_page = page(sign_in(app, "admin.a").get("/audit"))
    assert f"· {PLH_FORM}\n" in audit_page and "sebagai Plh/Plt" not in audit_page
    review_page = page(sign_in(app, cast["appraiser"]).get(
        f"/pemeriksaan/pegawai/{org.staff_a.id}/2026-11?tampil=disetujui"))
    assert f"Diputuskan oleh {PLH_FORM}" in review_page


def test_plh_decision_on_a_monthly_activity_notifies_in_the_official_form(app, db, org, cast):
    record = MonthlyActivity(employee_id=org.staff_a.id, year=2026, month=11, planned_action="Menyusun laporan",
                             quantity=Decimal(1), unit="laporan", status=SUBMITTED)
    db.session.add(record)
    db.session.commit()
    response = sign_in(app, cast["acting_in"]).post(f"/pemeriksaan/bulanan/2026-11/{record.id}",
                                                    data={"decision": "approve", "text": "Baik"})
    assert response.status_code == 302
    assert [notify.render(notice) for notice in notices(db, org.staff_a)] == [
        f"1 kegiatan Anda disetujui oleh {PLH_FORM}."]


def test_plt_reads_as_plt(app, db, org, cast):
    absent = org.other_appraiser_a.assignments[0]
    plt = staff_member(absent.unit, org.head_a, name="Plt Penilai")
    db.session.add(ActingAssignment(kind=ActingKind.PLT, acting_id=plt.id, absent_id=org.other_appraiser_a.id,
                                    valid_from=MON, valid_to=TODAY, decree_number="800/2/2026"))
    activity_id = item(org.other_staff_a)
    assert decide(sign_in(app, plt.id_number), activity_id, "return").status_code == 302
    assert [notify.render(notice) for notice in notices(db, org.other_staff_a)] == [
        f"1 kegiatan Anda dikembalikan untuk diperbaiki oleh Plt Penilai, Plt. {absent.position.name}."]


# Orphans: (route setting, appraiser deactivated?, owner, decider) → may decide?
ORPHANS = [
    ("next_appraiser", True, "staff_a", "head_a", True),
    ("next_appraiser", True, "staff_a", "agency_admin_a", False),
    ("agency_admin", True, "staff_a", "agency_admin_a", True),
    ("agency_admin", True, "staff_a", "head_a", False),
    ("next_appraiser", False, "head_a", "agency_admin_a", True),  # nobody above the head: the agency admins
    ("agency_admin", False, "head_a", "agency_admin_a", True),
    ("next_appraiser", False, "head_b", "agency_admin_a", False),  # ... of the owner's agency only
    ("next_appraiser", False, "staff_a", "agency_admin_a", False),  # an active appraiser keeps the items
]


@pytest.mark.parametrize(("route", "deactivate", "owner", "decider", "allowed"), ORPHANS)
def test_orphaned_items_go_up_the_chain_or_to_agency_admins(app, db, org, today, monkeypatch, route, deactivate,
                                                            owner, decider, allowed):
    monkeypatch.setitem(app.config, "ORPHAN_REVIEW_ROUTE", route)
    if deactivate:
        org.appraiser_a.active = False
    activity_id = item(getattr(org, owner))
    person = getattr(org, decider)
    client = sign_in(app, person.username if isinstance(person, User) else person.id_number)
    month_page = client.get(f"/pemeriksaan/pegawai/{getattr(org, owner).id}/2026-11")
    assert (month_page.status_code == 200 and f'id="kegiatan-{activity_id}"' in page(month_page)) is allowed
    response = client.post(f"/pemeriksaan/kegiatan/{activity_id}/setujui")
    assert response.status_code == (302 if allowed else 404)
    assert status_of(db, activity_id) is (APPROVED if allowed else SUBMITTED)


# Whose items a scope might decide: (reviewer, route) → the people, by their names in factories.build_org.
CANDIDATES = [
    ("head_a", "next_appraiser", {"appraiser_a", "other_appraiser_a", "staff_a", "staff_a2", "other_staff_a"}),
    ("head_a", "agency_admin", {"appraiser_a", "other_appraiser_a"}),
    ("appraiser_a", "next_appraiser", {"staff_a", "staff_a2"}),
    ("agency_admin_a", "next_appraiser", {"head_a", "appraiser_a", "other_appraiser_a", "staff_a", "staff_a2",
                                          "other_staff_a"}),
    ("staff_a", "next_appraiser", set()),
]


@pytest.mark.parametrize(("reviewer", "route", "expected"), CANDIDATES)
def test_the_reviewer_rule_starts_from_the_scopes_people_as_a_list(app, db, org, today, monkeypatch, reviewer,
                                                                   route, expected):
    """The rule's statements narrow the owners to a list of ids read once per request, never to
    `IN (… UNION …)`: MariaDB runs that once for every row of the outer query (an inbox at 3,000 staff read every
    waiting item of the regency, 62–540 ms). The list holds everyone the scope might decide, the rule decides."""
    from kinerja.review.queries import waiting_counts_statement
    from kinerja.review.rights import reviewable, reviewer_scope, shape_of

    monkeypatch.setitem(app.config, "ORPHAN_REVIEW_ROUTE", route)
    person = getattr(org, reviewer)
    user = person if isinstance(person, User) else db.session.get(User, user_id(db, person))
    with app.test_request_context():
        scope = reviewer_scope(user, TODAY)
        assert scope.candidates == {getattr(org, name).id for name in expected}
        for statement in (reviewable(user, TODAY), waiting_counts_statement(shape_of(scope))):
            assert "UNION" not in str(statement.compile(db.engine)).upper()


@pytest.mark.parametrize(("appraiser", "day", "allowed"), [
    ("appraiser_a", date(2026, 11, 13), True), ("appraiser_a", MON, False),
    ("other_appraiser_a", date(2026, 11, 13), False), ("other_appraiser_a", MON, True),
])
def test_transfer_mid_month_splits_the_items_between_appraisers(app, db, org, today, appraiser, day, allowed):
    old = db.session.scalar(select(Assignment).where(Assignment.employee_id == org.staff_a.id))
    old.valid_to = date(2026, 11, 14)
    AssignmentFactory(employee=org.staff_a, unit=old.unit, agency=org.agency_a, appraiser=org.other_appraiser_a,
                      valid_from=date(2026, 11, 15))
    activity_id = item(org.staff_a, day)
    client = sign_in(app, getattr(org, appraiser).id_number)
    month = page(client.get(f"/pemeriksaan/pegawai/{org.staff_a.id}/2026-11"))
    assert (f'id="kegiatan-{activity_id}"' in month) is allowed
    assert client.post(f"/pemeriksaan/kegiatan/{activity_id}/setujui").status_code == (302 if allowed else 404)
    assert status_of(db, activity_id) is (APPROVED if allowed else SUBMITTED)


# ------------------------------------------------------------------------------------------- guarded bulk


def overlapping(org, control):
    return [item(org.staff_a, MON, "08:00", "09:00"), item(org.staff_a, MON, "08:30", "09:30")]


def without_evidence(org, control, evidence: bool = False):
    org.agency_a.requires_evidence = True
    flagged = item(org.staff_a, MON)
    for activity_id in (control, flagged) if evidence else (control,):
        EvidenceLinkFactory(activity=_db.session.get(Activity, activity_id))
    return [flagged]


def repeated(org, control, days: int):
    spellings = ["Rapat rutin bidang", "rapat  Rutin bidang", "RAPAT RUTIN BIDANG", "Rapat rutin bidang ",
                 "rapat rutin bidang"]
    return [item(org.staff_a, date(2026, 11, day), "10:00", "11:00", description=spellings[n])
            for n, day in enumerate((10, 11, 12, 13, 16)[:days])]


# case → (items to add beside a clean control item, the flag they should carry or None)
FLAG_CASES = {
    "off_day": (lambda org, control: [item(org.staff_a, SAT, off_day=True)], "Hari libur / akhir pekan"),
    "overlap": (overlapping, "Waktu bertumpuk"),
    "adjacent": (lambda org, control: [item(org.staff_a, MON, "08:00", "09:00"),
                                       item(org.staff_a, MON, "09:00", "10:00")], None),
    "over_540_minutes": (lambda org, control: [item(org.staff_a, MON, "07:00", "16:01")], "Hari terlalu panjang"),
    "exactly_540_minutes": (lambda org, control: [item(org.staff_a, MON, "07:00", "16:00")], None),
    "no_evidence": (without_evidence, "Tanpa bukti dukung"),
    "with_evidence": (lambda org, control: without_evidence(org, control, evidence=True), None),
    "same_text_5_days": (lambda org, control: repeated(org, control, 5), "Uraian berulang"),
    "same_text_4_days": (lambda org, control: repeated(org, control, 4), None),
}


@pytest.mark.parametrize("case", list(FLAG_CASES))
def test_guarded_bulk_approval_leaves_flagged_items_out_unless_ticked(app, db, org, today, case, monkeypatch):
    monkeypatch.setitem(app.config, "FLAG_REPEATED_DAYS", 5)  # the repeated-text cases sit at and below 5
    build, label = FLAG_CASES[case]
    control = item(org.staff_a, TUE, "13:00", "14:00")
    added = build(org, control)
    db.session.commit()
    everything = [control, *added]
    flagged = added if label else []
    client = sign_in(app, org.appraiser_a.id_number)

    preview = page(client.post("/pemeriksaan/pratinjau", data={"ids": everything}))
    assert sorted(int(i) for i in re.findall(r'name="flagged_ok" value="(\d+)"', preview)) == sorted(flagged)
    assert f"{len(everything) - len(flagged)} kegiatan akan disetujui." in preview
    if label:
        assert label in preview and "bertanda tidak ikut disetujui kecuali Anda mencentangnya" in preview
    else:
        assert "bertanda" not in preview

    response = client.post("/pemeriksaan/setujui-massal", data={"ids": everything}, follow_redirects=True)
    left_out = "kegiatan bertanda tidak ikut disetujui" in page(response)
    assert left_out is bool(flagged)
    assert statuses(db, everything) == {i: SUBMITTED if i in flagged else APPROVED for i in everything}
    client.post("/pemeriksaan/setujui-massal", data={"ids": everything, "flagged_ok": flagged})
    assert set(statuses(db, everything).values()) == {APPROVED}


# scope of the preview → which of a, b (Monday), c (Tuesday), d (October, reopened), e (colleague) it covers
SCOPES = [
    (lambda i, o: {"employee_id": o.staff_a.id, "day": MON.isoformat()}, "ab"),
    (lambda i, o: {"employee_id": o.staff_a.id, "month": "2026-11"}, "abc"),
    (lambda i, o: {"employee_id": o.staff_a.id, "month": "2026-10"}, "d"),
    (lambda i, o: {"employee_ids": [o.staff_a.id]}, "abcd"),
    (lambda i, o: {"employee_ids": [o.staff_a.id, o.staff_a2.id]}, "abcde"),
    (lambda i, o: {"ids": [i["a"], i["e"]]}, "ae"),
]


@pytest.mark.parametrize(("scope", "covered"), SCOPES)
def test_approve_a_day_or_a_month_through_the_preview(app, db, org, today, scope, covered):
    db.session.add(MonthLock(agency_id=org.agency_a.id, year=2026, month=10, locked=False, reason="Susulan"))
    ids = {"a": item(org.staff_a, MON, "08:00", "09:00"), "b": item(org.staff_a, MON, "09:00", "10:00"),
           "c": item(org.staff_a, TUE), "d": item(org.staff_a, date(2026, 10, 30)), "e": item(org.staff_a2, MON)}
    client = sign_in(app, org.appraiser_a.id_number)
    preview = page(client.post("/pemeriksaan/pratinjau", data=scope(ids, org)))
    listed = [int(i) for i in re.findall(r'name="ids" value="(\d+)"', preview)]
    assert sorted(listed) == sorted(ids[key] for key in covered)
    client.post("/pemeriksaan/setujui-massal", data={"ids": listed})
    assert statuses(db, ids.values()) == {ids[key]: APPROVED if key in covered else SUBMITTED for key in ids}


# ------------------------------------------------------------------------------------------------- locks


@pytest.mark.parametrize(("day", "bkd_lock", "decided"), [
    (date(2026, 12, 10), None, True),  # November stays open for review up to 10 December ...
    (date(2026, 12, 11), None, False),  # ... and closes after it
    (date(2026, 12, 11), False, True),  # unless BKD reopened it
    (TODAY, True, False),  # BKD may also close it early
])
def test_review_lock(app, db, org, today, monkeypatch, day, bkd_lock, decided):
    if bkd_lock is not None:
        db.session.add(MonthLock(agency_id=org.agency_a.id, year=2026, month=11, locked=bkd_lock, reason="BKD"))
    activity_id = item(org.staff_a)
    freeze_now(monkeypatch, day)
    response = sign_in(app, org.appraiser_a.id_number).post(f"/pemeriksaan/kegiatan/{activity_id}/setujui",
                                                          follow_redirects=True)
    assert (LOCKED_MESSAGE in page(response)) is not decided
    assert status_of(db, activity_id) is (APPROVED if decided else SUBMITTED)


def test_bkd_closes_and_reopens_a_month_with_a_reason(app, db, org, today):
    activity_id = item(org.staff_a)
    bkd, appraiser = sign_in(app, "admin.bkd"), sign_in(app, org.appraiser_a.id_number)
    url = "/bkd/kunci-bulan?bulan=2026-11"
    form = {"agency_id": org.agency_a.id, "reason": "Rekonsiliasi TPP"}
    assert sign_in(app, "admin.a").post(url, data={**form, "action": "close"}).status_code == 403
    bkd.post(url, data={**form, "action": "close", "reason": " "})
    assert db.session.scalar(select(func.count(MonthLock.id))) == 0

    bkd.post(url, data={**form, "action": "close"})
    assert LOCKED_MESSAGE in page(decide(appraiser, activity_id, "approve", follow_redirects=True))
    bkd.post(url, data={**form, "action": "open", "reason": "Perpanjangan"})
    decide(appraiser, activity_id, "approve")
    assert status_of(db, activity_id) is APPROVED

    lock = db.session.scalar(select(MonthLock))
    assert (lock.agency_id, lock.year, lock.month, lock.locked, lock.reason) == (
        org.agency_a.id, 2026, 11, False, "Perpanjangan")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "month")
                                 .order_by(AuditEntry.id)).all()
    described = [(e.action, e.from_state, e.to_state, e.reason, e.object_id, e.agency_id, e.ip_address)
                 for e in entries]
    assert described == [
        ("lock", "open", "closed", "Rekonsiliasi TPP", 202611, org.agency_a.id, "127.0.0.1"),
        ("unlock", "closed", "open", "Perpanjangan", 202611, org.agency_a.id, "127.0.0.1"),
    ]


# ------------------------------------------------------------------------------------------------- audit


def submit(app, org, cast):
    activity_id = item(org.staff_a, status=DRAFT)
    sign_in(app, cast["owner"]).post(f"/kegiatan/{activity_id}/ajukan")
    return activity_id


def withdraw(app, org, cast):
    activity_id = item(org.staff_a)
    sign_in(app, cast["owner"]).post(f"/kegiatan/{activity_id}/tarik")
    return activity_id


def decided_by(actor: str, action: str):
    def run(app, org, cast):
        activity_id = item(org.staff_a)
        decide(sign_in(app, cast[actor]), activity_id, action)
        return activity_id

    return run


def reopened(app, org, cast):
    activity_id = item(org.staff_a, status=APPROVED)
    sign_in(app, cast["agency_admin"]).post(f"/pemeriksaan/kegiatan/{activity_id}/buka-kembali",
                                            data={"reason": "Salah setuju"})
    return activity_id


# what happened → (actor, stood in for appraiser A?, action, from, to, reason)
AUDITED = {
    "submit": (submit, "owner", False, "submit", "draft", "submitted", None),
    "withdraw": (withdraw, "owner", False, "withdraw", "submitted", "draft", None),
    "approve": (decided_by("appraiser", "approve"), "appraiser", False, "approve", "submitted", "approved", None),
    "approve as Plh": (decided_by("acting_in", "approve"), "acting_in", True, "approve", "submitted", "approved",
                       None),
    "return": (decided_by("appraiser", "return"), "appraiser", False, "return", "submitted", "returned",
               "Lengkapi bukti dukung"),
    "reopen": (reopened, "agency_admin", False, "reopen", "approved", "returned", "Salah setuju"),
}


@pytest.mark.parametrize("case", list(AUDITED))
def test_every_change_leaves_an_audit_entry(app, db, org, cast, case):
    run, actor, as_plh, action, before, after, reason = AUDITED[case]
    activity_id = run(app, org, cast)
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == activity_id)).all()
    assert len(entries) == 1, case
    entry = entries[0]
    identifier = cast[actor]
    actor_id = db.session.scalar(select(User.id).outerjoin(User.employee).where(
        or_(User.username == identifier, Employee.id_number == identifier)))
    assert (entry.object_type, entry.actor_id, entry.acting_for_id, entry.action, entry.from_state,
            entry.to_state, entry.reason, entry.ip_address) == (
        "activity", actor_id, org.appraiser_a.id if as_plh else None, action, before, after, reason, "127.0.0.1")
    assert entry.agency_id == org.agency_a.id, f"{case}: the entry must name the owner's agency"


FORMULA = '=HYPERLINK("https://contoh.example/x","klik")'


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[dict]:
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize(("kind", "read"), [("csv", read_csv), ("xlsx", read_xlsx)])
@pytest.mark.parametrize(("viewer", "agencies"), [("admin.bkd", "AB"), ("admin.a", "A")])
def test_audit_export_is_scoped_and_formula_safe(app, db, org, cast, kind, read, viewer, agencies):
    returned, approved_b = item(org.staff_a), item(org.staff_b)
    sign_in(app, cast["acting_in"]).post(f"/pemeriksaan/kegiatan/{returned}/kembalikan", data={"reason": FORMULA})
    decide(sign_in(app, org.head_b.id_number), approved_b, "approve")
    response = sign_in(app, viewer).get(f"/audit.{kind}")
    assert response.status_code == 200
    rows = read(response.data)
    names = {"A": org.agency_a.short_name, "B": org.agency_b.short_name}
    assert sorted(row["OPD"] for row in rows) == sorted(names[a] for a in agencies)
    returned_row = next(row for row in rows if row["Aksi"] == "Dikembalikan")
    assert returned_row["Alasan"] == "'" + FORMULA
    assert (returned_row["Pelaku"], returned_row["Sebagai Plh/Plt untuk"], returned_row["Alamat IP"]) == (
        PLH_FORM, "Penilai A", "127.0.0.1")
    assert (returned_row["Dari"], returned_row["Menjadi"]) == ("submitted", "returned")


@pytest.mark.parametrize("path", ["/audit", "/audit.csv", "/audit.xlsx"])
def test_staff_cannot_read_the_audit_trail(app, db, org, path):
    assert sign_in(app, org.staff_a.id_number).get(path).status_code == 404
    assert sign_in(app, "admin.a").get(path).status_code == 200


# ---------------------------------------------------------------------------------------------- comments


def test_owner_and_appraiser_talk_in_the_thread(app, db, org, today):
    activity_id = item(org.staff_a)
    owner, appraiser = sign_in(app, org.staff_a.id_number), sign_in(app, org.appraiser_a.id_number)
    url = f"/pemeriksaan/kegiatan/{activity_id}"
    assert appraiser.post(url, data={"body": "Mohon lampirkan daftar hadir."}).status_code == 302
    assert owner.post(url, data={"body": "Baik, segera saya lampirkan."}).status_code == 302
    assert "Komentar tidak boleh kosong." in page(owner.post(url, data={"body": "   "}))
    assert sign_in(app, org.staff_a2.id_number).get(url).status_code == 404
    thread = page(appraiser.get(url))
    assert thread.index("Mohon lampirkan daftar hadir.") < thread.index("Baik, segera saya lampirkan.")
    assert db.session.scalar(select(func.count(ActivityComment.id))) == 2
    assert [notify.render(n) for n in notices(db, org.staff_a)] == [
        "Penilai A menulis komentar pada kegiatan 17 November 2026."]
    assert notices(db, org.appraiser_a, "comment") == []  # the appraiser reads replies next to the item


@pytest.mark.parametrize(("state", "answer", "comment", "after"), [
    (RETURNED, "Bukti sudah saya lengkapi.", True, SUBMITTED),
    (RETURNED, "", False, SUBMITTED),
    (APPROVED, "Jawaban terlambat", False, APPROVED),
])
def test_answer_when_resubmitting_becomes_a_comment(app, db, org, today, state, answer, comment, after):
    activity_id = item(org.staff_a, status=state, return_reason="Lengkapi bukti" if state is RETURNED else None)
    sign_in(app, org.staff_a.id_number).post(f"/kegiatan/{activity_id}/ajukan", data={"answer": answer})
    bodies = db.session.scalars(select(ActivityComment.body).where(ActivityComment.activity_id == activity_id)).all()
    assert bodies == ([answer] if comment else [])
    assert status_of(db, activity_id) is after



def test_a_refused_resubmission_keeps_no_answer(app, db, org, today):
    """One step: in a closed month the answer is not saved while the item stays returned (nothing half-done)."""
    activity_id = item(org.staff_a, status=RETURNED, return_reason="Lengkapi bukti")
    db.session.add(MonthLock(agency_id=org.agency_a.id, year=TUE.year, month=TUE.month, locked=True, reason="Uji"))
    db.session.commit()
    response = sign_in(app, org.staff_a.id_number).post(f"/kegiatan/{activity_id}/ajukan",
                                                        data={"answer": "Bukti sudah saya lengkapi."},
                                                        follow_redirects=True)
    assert "sudah ditutup untuk pengisian" in page(response)
    assert db.session.scalar(select(func.count(ActivityComment.id))) == 0
    assert status_of(db, activity_id) is RETURNED


# ---------------------------------------------------------------------------------------------- notifications


def test_unread_notifications_are_counted_listed_and_marked_read(app, db, org, today):
    activity_id = item(org.staff_a)
    decide(sign_in(app, org.appraiser_a.id_number), activity_id, "return")
    owner = sign_in(app, org.staff_a.id_number)
    badge = re.compile(r'bi-bell" aria-hidden="true"></i>\s*<span class="badge text-bg-danger">(\d+)'
                       r'<span class="visually-hidden"> belum dibaca</span></span>')
    assert badge.search(page(owner.get("/notifikasi"))).group(1) == "1"
    assert "1 kegiatan Anda dikembalikan untuk diperbaiki oleh Penilai A." in page(owner.get("/notifikasi"))
    notice = notices(db, org.staff_a)[0]
    response = owner.get(f"/notifikasi/{notice.id}")
    assert (response.status_code, response.headers["Location"]) == (302, "/kegiatan/bulan")
    assert notices(db, org.staff_a)[0].read_at is not None
    assert badge.search(page(owner.get("/notifikasi"))) is None
    assert sign_in(app, org.staff_a2.id_number).get(f"/notifikasi/{notice.id}").status_code == 404


@pytest.mark.parametrize(("link", "target"), [
    ("/pemeriksaan/pegawai/7", "/pemeriksaan/pegawai/7"),
    ("https://jahat.example/masuk", "/notifikasi"),
    ("//jahat.example/masuk", "/notifikasi"),
    ("/\\jahat.example", "/notifikasi"),
    (None, "/notifikasi"),
])
def test_opening_a_notification_redirects_only_inside_the_app(app, db, org, link, target):
    notify.send([notify.Notice(user_id(db, org.staff_a), "approved", {"n": 1, "name": "X"}, link=link)])
    db.session.commit()
    notice_id = db.session.scalar(select(Notification.id))
    response = sign_in(app, org.staff_a.id_number).get(f"/notifikasi/{notice_id}")
    assert (response.status_code, response.headers["Location"]) == (302, target)


# ------------------------------------------------------------------------------------------------ monitoring


@pytest.fixture()
def filed(org, db, today):
    """Staff A: 3 waiting items over 2 days and a draft; Staff A Dua: on leave 9–10 Nov, one approved, one returned."""
    for day, start, end in ((MON, "08:00", "09:00"), (MON, "09:00", "10:00"), (TUE, "08:00", "09:00")):
        item(org.staff_a, day, start, end)
    item(org.staff_a, date(2026, 11, 13), status=DRAFT)
    LeaveFactory(employee_id=org.staff_a2.id)
    item(org.staff_a2, date(2026, 11, 11), status=APPROVED)
    item(org.staff_a2, date(2026, 11, 12), status=RETURNED)


@pytest.mark.parametrize(("viewer", "status"), [
    ("head_a", 200), ("admin.a", 200), ("admin.bkd", 200), ("staff_a", 404), ("appraiser_a", 404), ("head_b", 404),
])
def test_who_sees_the_monitoring(app, db, org, filed, viewer, status):
    identifier = getattr(org, viewer).id_number if hasattr(org, viewer) else viewer
    client = sign_in(app, identifier)
    for suffix in ("", ".xlsx"):
        assert client.get(f"/opd/{org.agency_a.id}/pemantauan{suffix}?bulan=2026-11").status_code == status


def monitoring_rows(client, agency_id: int, sort: str = "name") -> list[dict]:
    response = client.get(f"/opd/{agency_id}/pemantauan.xlsx?bulan=2026-11&sort={sort}")
    return read_xlsx(response.data)


def test_monitoring_counts_days_filed_against_working_days(app, db, org, filed):
    client = sign_in(app, org.head_a.id_number)
    rows = {row["Nama"]: row for row in monitoring_rows(client, org.agency_a.id)}
    columns = ("Hari kerja efektif", "Hari diajukan", "Persentase diajukan", "Menunggu", "Dikembalikan", "Disetujui")
    # 13 working days from 2 to 18 November; the leave takes two of them off
    assert tuple(rows["Staf A"][c] for c in columns) == (13, 2, 15.4, 3, 0, 0)
    assert tuple(rows["Staf A Dua"][c] for c in columns) == (11, 2, 18.2, 0, 1, 1)
    assert tuple(rows["Kepala A"][c] for c in columns) == (13, 0, 0, 0, 0, 0)
    html = page(client.get(f"/opd/{org.agency_a.id}/pemantauan?bulan=2026-11"))
    assert re.search(r"Staf A</a>.*?<td class=\"text-end\">2 / 13</td><td class=\"text-end\">3</td>", html, re.S)


@pytest.mark.parametrize(("sort", "order"), [
    ("name", ["Kepala A", "Penilai A", "Staf A", "Staf A Dua", "Penilai Lain A", "Staf Lain A"]),
    ("waiting", ["Staf A", "Kepala A", "Penilai A", "Penilai Lain A", "Staf A Dua", "Staf Lain A"]),
    ("returned", ["Staf A Dua", "Kepala A", "Penilai A", "Penilai Lain A", "Staf A", "Staf Lain A"]),
    ("filed", ["Kepala A", "Penilai A", "Penilai Lain A", "Staf Lain A", "Staf A", "Staf A Dua"]),
])
def test_monitoring_sorts(app, db, org, filed, sort, order):
    client = sign_in(app, "admin.a")
    assert [row["Nama"] for row in monitoring_rows(client, org.agency_a.id, sort)] == order
    html = page(client.get(f"/opd/{org.agency_a.id}/pemantauan?bulan=2026-11&sort={sort}"))
    shown = re.findall(r'<a href="/pegawai/\d+">([^<]+)</a>', html)
    assert shown == order


# ------------------------------------------------------------------------------------------------ reminders


def remind(app, db, day: str):
    db.session.commit()  # the command uses this session too; start it clean
    result = app.test_cli_runner().invoke(args=["remind", "--date", day])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def notified(db, kind: str) -> dict[int, dict]:
    import json

    return {n.user_id: json.loads(n.params) for n in db.session.scalars(select(Notification)
                                                                         .where(Notification.kind == kind))}


def test_remind_counts_unfiled_working_days(app, db, org):
    working = [date(2026, 11, d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17)]
    for day in working:
        item(org.other_staff_a, day, status=RETURNED if day == MON else APPROVED)  # returned: still filed
        if day not in (date(2026, 11, 9), date(2026, 11, 10), TUE):
            item(org.staff_a2, day)
    LeaveFactory(employee_id=org.staff_a2.id)  # 9–10 November
    remind(app, db, "2026-11-18")
    unfiled = notified(db, "unfiled")
    assert unfiled[user_id(db, org.staff_a)] == {"n": 12}
    assert unfiled[user_id(db, org.staff_a2)] == {"n": 1}
    assert user_id(db, org.other_staff_a) not in unfiled
    notice = notices(db, org.staff_a, "unfiled")[0]
    assert notify.render(notice) == "Ada 12 hari kerja bulan ini yang kegiatannya belum Anda ajukan untuk diperiksa."


def test_drafts_are_not_filed_for_reminders_nor_on_the_monitoring_page(app, db, org, today):
    """One meaning of "filed": submitted for review. Drafts of every working day leave them all unfiled."""
    working = [date(2026, 11, d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17)]
    for day in working:
        item(org.staff_a, day, status=DRAFT)
    item(org.staff_a, TUE, "10:00", "11:00")  # the one day submitted
    remind(app, db, "2026-11-18")
    assert notified(db, "unfiled")[user_id(db, org.staff_a)] == {"n": 11}
    rows = {row["Nama"]: row for row in monitoring_rows(sign_in(app, "admin.a"), org.agency_a.id)}
    assert (rows["Staf A"]["Hari diajukan"], rows["Staf A"]["Hari kerja efektif"]) == (1, 13)


@pytest.mark.parametrize(("day", "reminded"), [("2026-11-18", "acting_in"), ("2026-11-23", "appraiser")])
def test_remind_of_items_waiting_over_three_days_whoever_can_decide_them(app, db, org, cast, day, reminded):
    """While the Plh stands in (16–20 November) they are reminded and the absent appraiser is not; after, the
    appraiser is. Another appraiser, present, is reminded of their own items."""
    item(org.staff_a, date(2026, 11, 13), submitted_at=datetime(2026, 11, 14, 10, tzinfo=WIB))  # 4 days
    item(org.staff_a, MON, submitted_at=datetime(2026, 11, 17, 10, tzinfo=WIB))  # 1 day: not yet on the 18th
    item(org.other_staff_a, MON, status=APPROVED, submitted_at=datetime(2026, 11, 2, tzinfo=WIB))
    item(org.other_staff_a, TUE, submitted_at=datetime(2026, 11, 3, tzinfo=WIB))
    remind(app, db, day)
    waiting = 1 if day == "2026-11-18" else 2
    decider = db.session.scalar(select(User.id).join(Employee).where(Employee.id_number == cast[reminded]))
    assert notified(db, "waiting") == {decider: {"n": waiting, "days": 3},
                                       user_id(db, org.other_appraiser_a): {"n": 1, "days": 3}}


@pytest.mark.parametrize(("day", "closing"), [
    ("2026-12-02", False), ("2026-12-03", True), ("2026-12-04", True), ("2026-12-05", True), ("2026-12-06", False),
])
def test_remind_everyone_in_the_three_days_before_filing_closes(app, db, org, day, closing):
    output = remind(app, db, day)
    people = db.session.scalar(select(func.count(Employee.id)))
    assert len(notified(db, "month_closing")) == (people if closing else 0)
    assert f"{people if closing else 0} penutupan bulan" in output
    if closing:
        text = notify.render(notices(db, org.staff_a, "month_closing")[0])
        assert text == "Pengisian kegiatan bulan November 2026 ditutup setelah 5 Desember 2026."


def reported(output: str) -> tuple[int, ...]:
    """(unfiled, waiting, closing, e-mailed) from the command's summary line."""
    match = re.search(r"(\d+) belum mengajukan, (\d+) menunggu pemeriksaan, (\d+) penutupan bulan; (\d+) surel", output)
    return tuple(int(n) for n in match.groups())


def test_remind_is_idempotent_per_day(app, db, org):
    item(org.staff_a, date(2026, 11, 2), submitted_at=datetime(2026, 11, 3, tzinfo=WIB))
    people = db.session.scalar(select(func.count(Employee.id)))
    assert reported(remind(app, db, "2026-11-18")) == (people, 1, 0, 0)  # everyone has unfiled days
    count = db.session.scalar(select(func.count(Notification.id)))
    assert reported(remind(app, db, "2026-11-18")) == (0, 0, 0, 0)
    assert db.session.scalar(select(func.count(Notification.id))) == count


@pytest.mark.parametrize(("server", "failure", "mailed"), [("smtp.contoh.go.id", None, True),
                                                            ("smtp.contoh.go.id", OSError("down"), False),
                                                            (None, None, False)])
def test_remind_mails_notices_when_smtp_is_set(app, db, org, monkeypatch, server, failure, mailed):
    monkeypatch.setitem(app.config, "MAIL_SERVER", server)
    sent = []

    def deliver(recipient, subject, body):
        if failure:
            raise failure
        sent.append((recipient, subject, body))

    monkeypatch.setattr(notify, "deliver_mail", deliver)
    org.staff_a.email, org.staff_a2.email = "staf.a@contoh.go.id", "staf.a2@contoh.go.id"
    output = remind(app, db, "2026-11-18")  # everyone has unfiled days; only two have an address
    text = "Ada 12 hari kerja bulan ini yang kegiatannya belum Anda ajukan untuk diperiksa."
    expected = [(address, "Kinerja: " + text[:60], text) for address in ("staf.a2@contoh.go.id", "staf.a@contoh.go.id")]
    assert sorted(sent) == (expected if mailed else [])
    assert reported(output)[3] == (2 if mailed else 0)
    assert ("2 gagal" in output) is bool(failure)
    remind(app, db, "2026-11-18")
    assert len(sent) == (2 if mailed else 0)  # nothing mailed twice
    emailed = db.session.scalar(select(func.count(Notification.id)).where(Notification.emailed_at.is_not(None)))
    assert emailed == (2 if mailed else 0)
