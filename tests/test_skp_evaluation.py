"""SKP monthly evaluation by the appraiser or Plh, the employee's quarterly/yearly roll-up, and the SE MenPANRB
3/2023 distribution check of the organisation predikat.

Today is Wednesday 18 November 2026 in Jakarta (tests.factories.FIXED_NOW); with REVIEW_LOCK_DAY 10 November is
open for review and October closed.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from kinerja import notify
from kinerja.errors import NotAllowed
from kinerja.models import ActingAssignment, ActivityStatus, AuditEntry, MonthLock, Notification
from kinerja.models.skp import (
    Evaluation,
    EvaluationIndicator,
    OrganisationPredikat,
    OrgPredikat,
    Predikat,
    Rating,
)
from kinerja.skp import evaluation
from tests.factories import ActivityFactory, freeze_now
from tests.querycount import count_queries
from tests.test_skp import iki_of, plan, user

TODAY = date(2026, 11, 18)
NOV = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    freeze_now(monkeypatch, TODAY)
    return TODAY


def approved_output(db, employee, iki, day: date, quantity: int) -> None:
    ActivityFactory(employee=employee, activity_date=day, quantity=Decimal(quantity), unit=iki.unit,
                    indicator_id=iki.id, status=ActivityStatus.APPROVED)
    db.session.commit()


def evaluation_form(iki_id: int, result: str, behaviour: str, **fields) -> dict:
    return {"rating_result": result, "rating_behaviour": behaviour, f"adjustment_{iki_id}": "0",
            f"note_{iki_id}": "", f"feedback_{iki_id}": "", **fields}


# ---------------------------------------------------------------------------------------------- evaluating


@pytest.mark.parametrize(("result", "behaviour", "expected"), [
    (Rating.ABOVE, Rating.ABOVE, Predikat.VERY_GOOD),
    (Rating.AS_EXPECTED, Rating.BELOW, Predikat.POOR),
    (Rating.BELOW, Rating.ABOVE, Predikat.NEEDS_IMPROVEMENT),
    (Rating.BELOW, Rating.BELOW, Predikat.VERY_POOR),
])
def test_evaluation_saves_the_predikat_of_the_ratings(client, auth, db, org, result, behaviour, expected):
    skp = plan(db, org.staff_a)
    iki_id = iki_of(skp).id
    auth.login(org.appraiser_a.id_number)
    response = client.post(f"/skp/evaluasi/{org.staff_a.id}/2026-11",
                           data=evaluation_form(iki_id, result.value, behaviour.value), follow_redirects=True)
    assert response.status_code == 200
    saved = db.session.scalar(select(Evaluation).where(Evaluation.skp_id == skp.id))
    assert (saved.year, saved.month, saved.predikat) == (2026, 11, expected)
    assert saved.evaluated_for_id is None
    assert expected.label in response.get_data(as_text=True)


def test_adjustments_and_feedback_are_stored_audited_notified_and_shown_to_the_employee(client, auth, db, org):
    skp = plan(db, org.staff_a)
    iki = iki_of(skp)
    approved_output(db, org.staff_a, iki, date(2026, 11, 16), 3)
    approved_output(db, org.staff_a, iki, date(2026, 11, 17), 2)
    auth.login(org.appraiser_a.id_number)
    page = client.get(f"/skp/evaluasi/{org.staff_a.id}/2026-11").get_data(as_text=True)
    assert "5 dokumen" in page
    client.post(f"/skp/evaluasi/{org.staff_a.id}/2026-11", data=evaluation_form(
        iki.id, "sesuai", "di_atas", **{f"adjustment_{iki.id}": "1.5", f"note_{iki.id}": "Laporan luring",
                                       f"feedback_{iki.id}": "Pertahankan ketelitian"}))
    # Re-evaluating the open month updates the same evaluation.
    client.post(f"/skp/evaluasi/{org.staff_a.id}/2026-11", data=evaluation_form(
        iki.id, "di_atas", "di_atas", **{f"adjustment_{iki.id}": "2", f"note_{iki.id}": "Laporan luring",
                                       f"feedback_{iki.id}": "Pertahankan ketelitian"}))
    saved = db.session.scalars(select(Evaluation)).all()
    assert len(saved) == 1 and saved[0].predikat is Predikat.VERY_GOOD
    rows = db.session.scalars(select(EvaluationIndicator)).all()
    assert [(r.iki_id, r.adjustment, r.note, r.feedback) for r in rows] == [
        (iki.id, Decimal("2.00"), "Laporan luring", "Pertahankan ketelitian")]
    entries = db.session.execute(select(AuditEntry.action, AuditEntry.from_state, AuditEntry.to_state)
                                 .where(AuditEntry.object_type == "evaluation").order_by(AuditEntry.id)).all()
    assert entries == [("evaluate", None, "baik"), ("evaluate", "baik", "sangat_baik")]
    staff = user(db, org.staff_a)
    assert db.session.scalars(select(Notification.kind).where(Notification.user_id == staff.id)).all() == [
        "approved", "approved"]

    auth.logout()
    auth.login(org.staff_a.id_number)
    page = client.get(f"/skp/{skp.id}?bulan=2026-11").get_data(as_text=True)
    assert "Sangat Baik" in page and "Pertahankan ketelitian" in page and "Laporan luring" in page


def test_the_plh_of_the_appraiser_may_evaluate(client, auth, db, org):
    skp = plan(db, org.staff_a)
    db.session.add(ActingAssignment(acting_id=org.other_appraiser_a.id, absent_id=org.appraiser_a.id,
                                    valid_from=TODAY - timedelta(days=2), valid_to=TODAY + timedelta(days=2),
                                    decree_number="800/1/2026"))
    db.session.commit()
    auth.login(org.other_appraiser_a.id_number)
    response = client.post(f"/skp/evaluasi/{org.staff_a.id}/2026-11",
                           data=evaluation_form(iki_of(skp).id, "sesuai", "sesuai"))
    assert response.status_code == 302
    saved = db.session.scalar(select(Evaluation))
    assert saved.predikat is Predikat.GOOD and saved.evaluated_for_id == org.appraiser_a.id
    notice = db.session.scalar(select(Notification).where(Notification.kind == "approved"))
    assert notify.render(notice) == \
        f"1 kegiatan Anda disetujui oleh Penilai Lain A, Plh. {org.appraiser_a.assignments[0].position.name}."


@pytest.mark.parametrize("who", ["staff_a", "staff_a2", "other_appraiser_a", "head_a", "head_b"])
def test_only_the_appraiser_or_plh_may_evaluate(client, auth, db, org, who):
    skp = plan(db, org.staff_a)
    auth.login(getattr(org, who).id_number)
    assert client.get(f"/skp/evaluasi/{org.staff_a.id}/2026-11").status_code == 404
    response = client.post(f"/skp/evaluasi/{org.staff_a.id}/2026-11",
                           data=evaluation_form(iki_of(skp).id, "sesuai", "sesuai"))
    assert response.status_code == 404
    assert db.session.scalar(select(Evaluation)) is None


def test_no_approved_plan_or_a_bad_month_is_404(client, auth, db, org):
    plan(db, org.staff_a)
    auth.login(org.appraiser_a.id_number)
    assert client.get(f"/skp/evaluasi/{org.staff_a2.id}/2026-11").status_code == 404
    assert client.get(f"/skp/evaluasi/{org.staff_a.id}/2026-13").status_code == 404
    assert client.get(f"/skp/evaluasi/{org.staff_a.id}/2025-11").status_code == 404


def test_a_closed_month_is_refused(client, auth, db, org):
    skp = plan(db, org.staff_a)
    appraiser = user(db, org.appraiser_a)
    with pytest.raises(NotAllowed):  # October: past REVIEW_LOCK_DAY
        evaluation.evaluate(appraiser, skp, date(2026, 10, 1), TODAY, Rating.ABOVE, Rating.ABOVE, {})
    db.session.rollback()
    evaluation.evaluate(appraiser, skp, NOV, TODAY, Rating.ABOVE, Rating.ABOVE, {})
    db.session.add(MonthLock(agency_id=org.agency_a.id, year=2026, month=11, locked=True))
    db.session.commit()
    auth.login(org.appraiser_a.id_number)
    page = client.get(f"/skp/evaluasi/{org.staff_a.id}/2026-11").get_data(as_text=True)
    assert "sudah ditutup untuk penilaian" in page
    response = client.post(f"/skp/evaluasi/{org.staff_a.id}/2026-11",
                           data=evaluation_form(iki_of(skp).id, "di_bawah", "di_bawah"))
    assert response.status_code == 422
    assert db.session.scalar(select(Evaluation.predikat)) is Predikat.VERY_GOOD
    with pytest.raises(NotAllowed):  # a month not yet begun
        evaluation.evaluate(appraiser, skp, date(2026, 12, 1), TODAY, Rating.ABOVE, Rating.ABOVE, {})


def test_inbox_links_to_the_evaluation_of_subordinates_with_an_approved_plan(client, auth, db, org):
    plan(db, org.staff_a)
    auth.login(org.appraiser_a.id_number)
    page = client.get("/skp/periksa").get_data(as_text=True)
    assert f"/skp/evaluasi/{org.staff_a.id}/2026-11" in page and f"/skp/evaluasi/{org.staff_a.id}/2026-10" in page
    assert f"/skp/evaluasi/{org.staff_a2.id}/" not in page


# ---------------------------------------------------------------------------------------------- roll-up


def test_quarter_and_year_rollup_sum_realisation_and_adjustments(client, auth, db, org):
    skp = plan(db, org.staff_a)
    iki = iki_of(skp)
    approved_output(db, org.staff_a, iki, date(2026, 7, 15), 4)
    approved_output(db, org.staff_a, iki, date(2026, 8, 17), 3)
    approved_output(db, org.staff_a, iki, date(2026, 11, 16), 2)
    for month, adjustment, ratings in [(7, "1", (Rating.ABOVE, Rating.ABOVE)),
                                       (8, "-0.5", (Rating.BELOW, Rating.AS_EXPECTED))]:
        db.session.add(Evaluation(employee_id=org.staff_a.id, skp_id=skp.id, year=2026, month=month,
                                  rating_result=ratings[0], rating_behaviour=ratings[1],
                                  predikat=evaluation.predikat(*ratings),
                                  indicators=[EvaluationIndicator(iki_id=iki.id, adjustment=Decimal(adjustment))]))
    db.session.commit()

    quarter = evaluation.rollup(skp, "2026-Q3")
    assert [(row.realisation, row.adjustment, row.total) for row in quarter.rows] == [
        (Decimal("7.00"), Decimal("0.50"), Decimal("7.50"))]
    assert quarter.predikats == [(date(2026, 7, 1), Predikat.VERY_GOOD),
                                 (date(2026, 8, 1), Predikat.NEEDS_IMPROVEMENT), (date(2026, 9, 1), None)]
    year = evaluation.rollup(skp, "2026")
    assert year.rows[0].total == Decimal("9.50") and len(year.predikats) == 12
    assert evaluation.rollup(skp, "2025-Q1") is None and evaluation.rollup(skp, "2026-Q5") is None

    auth.login(org.staff_a.id_number)
    page = client.get(f"/skp/{skp.id}?periode=2026-Q3").get_data(as_text=True)
    assert "Rekap triwulan/tahun" in page and "2026-Q3" in page
    assert "7,5 dokumen" in page
    assert "Butuh Perbaikan" in page


# ---------------------------------------------------------------------------------------------- distribution


def rate(db, employees, skp_predikats) -> None:
    """Store one evaluation per employee for November with the given predikat."""
    for employee, value in zip(employees, skp_predikats, strict=True):
        skp = plan(db, employee)
        db.session.add(Evaluation(employee_id=employee.id, skp_id=skp.id, year=2026, month=11, predikat=value))
    db.session.commit()


def test_distribution_flags_an_agency_breaking_se_3_2023(client, auth, db, org):
    # Agency A, organisation predikat Baik: 4 of 5 staff Baik (80% > 70%) and nobody below Baik.
    rate(db, [org.appraiser_a, org.staff_a, org.staff_a2, org.other_appraiser_a, org.other_staff_a],
         [Predikat.GOOD, Predikat.GOOD, Predikat.GOOD, Predikat.GOOD, Predikat.VERY_GOOD])
    # Agency B, organisation predikat Baik: 1 Baik, 1 Butuh Perbaikan, within the rule.
    rate(db, [org.head_b, org.staff_b], [Predikat.GOOD, Predikat.NEEDS_IMPROVEMENT])
    # An earlier month's evaluation does not count: the latest of the year does.
    db.session.add(Evaluation(employee_id=org.staff_b.id, skp_id=db.session.scalar(
        select(Evaluation.skp_id).where(Evaluation.employee_id == org.staff_b.id)), year=2026, month=10,
        predikat=Predikat.GOOD))
    db.session.commit()

    auth.login("admin.bkd")
    response = client.post("/skp/distribusi?tahun=2026", data={
        f"predikat_{org.agency_a.id}": "baik", f"predikat_{org.agency_b.id}": "baik"})
    assert response.status_code == 302
    assert sorted(db.session.execute(select(OrganisationPredikat.agency_id, OrganisationPredikat.predikat)).all()) \
        == sorted([(org.agency_a.id, OrgPredikat.GOOD), (org.agency_b.id, OrgPredikat.GOOD)])
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_type == "organisation_predikat")) \
        == "set_predikat"

    rows = {row.agency.id: row for row in evaluation.distribution(2026, evaluation.all_agencies())}
    assert rows[org.agency_a.id].counts[Predikat.GOOD] == 4 and rows[org.agency_a.id].total == 5
    assert len(rows[org.agency_a.id].breaches) == 2
    assert rows[org.agency_b.id].breaches == [] and rows[org.agency_b.id].counts[Predikat.NEEDS_IMPROVEMENT] == 1

    page = client.get("/skp/distribusi?tahun=2026").get_data(as_text=True)
    assert page.count('class="distribution-breach"') == 2
    assert "Paling banyak 70% pegawai berpredikat Baik" in page
    assert client.get("/skp/distribusi?tahun=2025").get_data(as_text=True).count("distribution-breach") == 0

    auth.logout()
    auth.login("admin.a")
    page = client.get(f"/skp/distribusi/{org.agency_a.id}?tahun=2026").get_data(as_text=True)
    assert page.count('class="distribution-breach"') == 2 and "Dinas B" not in page


def test_distribution_counts_in_a_fixed_number_of_queries(db, org):
    rate(db, [org.staff_a], [Predikat.GOOD])
    with count_queries() as few:
        evaluation.distribution(2026, evaluation.all_agencies())
    rate(db, [org.staff_a2, org.staff_b, org.head_b], [Predikat.GOOD, Predikat.POOR, Predikat.VERY_GOOD])
    with count_queries() as many:
        evaluation.distribution(2026, evaluation.all_agencies())
    assert len(many) == len(few) <= 4


@pytest.mark.parametrize(("login", "path", "status"), [
    ("admin.bkd", "/skp/distribusi", 200),
    ("superadmin", "/skp/distribusi", 200),
    ("admin.a", "/skp/distribusi", 403),
    ("staff_a", "/skp/distribusi", 403),
    ("admin.bkd", "/skp/distribusi/{a}", 200),
    ("admin.a", "/skp/distribusi/{a}", 200),
    ("admin.a", "/skp/distribusi/{b}", 404),
    ("head_a", "/skp/distribusi/{a}", 200),
    ("head_a", "/skp/distribusi/{b}", 404),
    ("staff_a", "/skp/distribusi/{a}", 404),
])
def test_distribution_page_permissions(client, auth, db, org, login, path, status):
    identifier = login if login in ("admin.bkd", "superadmin", "admin.a") else getattr(org, login).id_number
    auth.login(identifier)
    assert client.get(path.format(a=org.agency_a.id, b=org.agency_b.id)).status_code == status
    if path == "/skp/distribusi" and status == 403:
        assert client.post(path, data={f"predikat_{org.agency_a.id}": "istimewa"}).status_code == 403
        assert db.session.scalar(select(OrganisationPredikat)) is None
