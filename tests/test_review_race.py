"""The appraiser and their Plh decide the same item at the same moment, on SQLite, PostgreSQL and MariaDB.

Two spawned processes (each its own app, engine and signed-in test client, as two gunicorn workers) meet at a
barrier before every round and then post their decision on the same submitted item, one approving and one
returning it. Exactly one decision stands, with one audit entry and one notice to the owner; the other is told
that someone else decided first; nothing answers 500.

The clock runs from FIXED_NOW in this process and its children, as in tests/test_activity_concurrency.py (the
race is not about the calendar): the item's day is the last working day before that today (its month explicitly
open) and the Plh's acting assignment spans that today.
"""

from __future__ import annotations

import multiprocessing
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kinerja import clock, create_app
from kinerja.extensions import db as _db
from kinerja.models import (
    ActingAssignment,
    Activity,
    ActivityStatus,
    Assignment,
    AuditEntry,
    MonthLock,
    Notification,
    Unit,
    User,
)
from tests.factories import PASSWORD, ActivityFactory, hm, staff_member
from tests.test_activity_concurrency import last_working_day_before_today, race_clock  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow

ROUNDS = 5
ALERT = re.compile(r'<div class="alert alert-(\w+)[^"]*" role="alert">\s*(.*?)\s*<button', re.S)
WINNER = {"approve": "1 kegiatan disetujui.", "return": "1 kegiatan dikembalikan."}
LOSER = "1 kegiatan sudah diputuskan orang lain lebih dulu; keputusan itu yang berlaku."


def decider(database_url: str, label: str, identifier: str, posts: list[tuple[int | None, str, str, dict]], start,
            results, rounds: bool = False) -> None:
    """Child process: sign in, wait for the race to start, then send each (item, action, path, form) in turn; in
    `rounds`, wait at the barrier before each."""
    try:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
        client = app.test_client()
        if client.post("/masuk", data={"identifier": identifier, "password": PASSWORD}).status_code != 302:
            start.abort()
            results.put(("error", f"{label}: sign-in refused"))
            return
        for index, (activity_id, action, path, form) in enumerate(posts):
            if rounds or index == 0:
                start.wait(timeout=60)
            response = client.post(path, data=form, follow_redirects=True)
            codes = [step.status_code for step in (*response.history, response)]
            alerts = [message for _category, message in ALERT.findall(response.get_data(as_text=True))]
            results.put(("ok", (label, activity_id, action, codes, alerts)))
        with app.app_context():
            _db.engine.dispose()
    except Exception as error:  # reported to the parent, which fails the test with it
        results.put(("error", f"{label}: {error!r}"))


def plh_standing_in(org, db):
    """The last working day before today (its month explicitly open) and a Plh standing in for appraiser A."""
    day = last_working_day_before_today()
    today = clock.today()
    unit = db.session.scalar(select(Unit).join(Assignment, Assignment.unit_id == Unit.id)
                             .where(Assignment.employee_id == org.other_appraiser_a.id))
    plh = staff_member(unit, org.head_a, name="Plh Penilai")
    db.session.add(ActingAssignment(acting_id=plh.id, absent_id=org.appraiser_a.id, decree_number="800/9/2026",
                                    valid_from=today - timedelta(days=3), valid_to=today + timedelta(days=3)))
    db.session.add(MonthLock(agency_id=org.agency_a.id, year=day.year, month=day.month, locked=False, reason="Uji"))
    return day, plh


def test_appraiser_and_plh_deciding_at_once_leave_exactly_one_decision(org, db, database_url):
    day, plh = plh_standing_in(org, db)
    items = [ActivityFactory(employee=org.staff_a, activity_date=day, start_time=hm(f"{7 + n:02d}:00"),
                             end_time=hm(f"{8 + n:02d}:00"), status=ActivityStatus.SUBMITTED,
                             submitted_at=clock.utcnow())
             for n in range(ROUNDS)]
    db.session.flush()
    ids = [activity.id for activity in items]
    appraiser_id, plh_identifier, appraiser_identifier = org.appraiser_a.id, plh.id_number, org.appraiser_a.id_number
    owner_user = db.session.scalar(select(User.id).where(User.employee_id == org.staff_a.id))
    # Alternate who approves and who returns, round by round.
    plan = {"appraiser": [(i, "approve" if n % 2 == 0 else "return") for n, i in enumerate(ids)],
            "plh": [(i, "return" if n % 2 == 0 else "approve") for n, i in enumerate(ids)]}
    db.session.commit()  # hold no snapshot or (SQLite) write lock while the children run

    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    posts = {label: [(i, action, f"/pemeriksaan/kegiatan/{i}/" + ("setujui" if action == "approve" else "kembalikan"),
                      {"reason": "Lengkapi bukti dukung"}) for i, action in plan[label]] for label in plan}
    workers = [context.Process(target=decider, args=(database_url, label, identifier, posts[label], start, results,
                                                     True))
               for label, identifier in (("appraiser", appraiser_identifier), ("plh", plh_identifier))]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=180) for _ in range(2 * ROUNDS)]
    for worker in workers:
        worker.join(timeout=60)
    errors = [detail for kind, detail in answers if kind == "error"]
    assert not errors, errors
    assert all(worker.exitcode == 0 for worker in workers)

    db.session.rollback()  # see what the children committed
    for activity_id in ids:
        outcomes = {label: (action, codes, alerts) for label, i, action, codes, alerts in
                    (detail for _kind, detail in answers) if i == activity_id}
        assert all(codes == [302, 200] for _action, codes, _alerts in outcomes.values()), outcomes
        winners = [label for label, (action, _c, alerts) in outcomes.items() if WINNER[action] in alerts]
        losers = [label for label, (_a, _c, alerts) in outcomes.items() if LOSER in alerts]
        assert len(winners) == 1 and len(losers) == 1 and winners != losers, outcomes

        winner_action = outcomes[winners[0]][0]
        stored = db.session.get(Activity, activity_id)
        assert stored.status is (ActivityStatus.APPROVED if winner_action == "approve" else ActivityStatus.RETURNED)
        assert stored.reviewed_for_id == (appraiser_id if winners[0] == "plh" else None)
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.object_id == activity_id, AuditEntry.action.in_(("approve", "return")))).all()
        assert [(entry.action, entry.acting_for_id) for entry in entries] == [(winner_action, stored.reviewed_for_id)]
    notices = db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == owner_user, Notification.kind.in_(("approved", "returned"))))
    assert notices == ROUNDS


BULK_ITEMS = 200


def test_a_bulk_approval_racing_single_returns_of_the_same_items_decides_each_once(org, db, database_url):
    """Issue 19 §4: on MariaDB this raced into error 1213 (deadlock) for the loser. Locks are taken in id order
    and a deadlock victim is retried: every item is decided exactly once and every request is answered."""
    day, plh = plh_standing_in(org, db)
    owners = (org.staff_a, org.staff_a2)
    items = [ActivityFactory(employee=owners[n % 2], activity_date=day, start_time=hm("07:00"),
                             end_time=hm("07:01"), duration_minutes=1, status=ActivityStatus.SUBMITTED,
                             submitted_at=clock.utcnow(), description=f"Layanan loket nomor {n}")
             for n in range(BULK_ITEMS)]
    db.session.flush()
    ids = sorted(activity.id for activity in items)
    appraiser_identifier, plh_identifier = org.appraiser_a.id_number, plh.id_number
    db.session.commit()

    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    bulk = [(None, "approve", "/pemeriksaan/setujui-massal", {"ids": ids, "flagged_ok": ids})]
    singles = [(i, "return", f"/pemeriksaan/kegiatan/{i}/kembalikan", {"reason": "Lengkapi bukti dukung"})
               for i in ids[::-1]]  # from the other end
    workers = [context.Process(target=decider, args=(database_url, label, identifier, posts, start, results))
               for label, identifier, posts in (("bulk", appraiser_identifier, bulk),
                                                ("single", plh_identifier, singles))]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=300) for _ in range(1 + BULK_ITEMS)]
    for worker in workers:
        worker.join(timeout=60)
    errors = [detail for kind, detail in answers if kind == "error"]
    assert not errors, errors
    assert all(worker.exitcode == 0 for worker in workers)

    bulk = next(detail for _kind, detail in answers if detail[0] == "bulk")
    singles = [detail for _kind, detail in answers if detail[0] == "single"]
    assert bulk[3] == [302, 200], bulk
    assert all(codes == [302, 200] for _l, _i, _a, codes, _alerts in singles), [s[3] for s in singles]

    db.session.rollback()  # see what the children committed
    statuses = dict(db.session.execute(select(Activity.id, Activity.status).where(Activity.id.in_(ids))).all())
    approved = [i for i in ids if statuses[i] is ActivityStatus.APPROVED]
    returned = [i for i in ids if statuses[i] is ActivityStatus.RETURNED]
    assert len(approved) + len(returned) == BULK_ITEMS
    entries = db.session.execute(select(AuditEntry.object_id, AuditEntry.action).where(
        AuditEntry.object_type == "activity", AuditEntry.object_id.in_(ids),
        AuditEntry.action.in_(("approve", "return")))).all()
    assert sorted(entries) == sorted([(i, "approve") for i in approved] + [(i, "return") for i in returned])
    # Each answer says what happened: the bulk what it approved, each return that it returned the item or that
    # the bulk had decided it first.
    assert not approved or f"{len(approved)} kegiatan disetujui." in bulk[4], bulk[4]
    for _label, activity_id, _action, _codes, alerts in singles:
        assert (WINNER["return"] in alerts) is (activity_id in returned), (activity_id, alerts)
        assert (WINNER["return"] in alerts) or LOSER in alerts or \
            "Tidak ada kegiatan yang menunggu untuk diputuskan." in alerts, (activity_id, alerts)
