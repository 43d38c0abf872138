"""The monthly evaluation of an SKP by the appraiser (or the Plh/Plt standing in), its quarterly and yearly
roll-up, and the SE MenPANRB 3/2023 distribution check of each agency's predikat against the organisation's.

An evaluation is kept per plan and month: per IKI an adjustment of the automatic realisation with a note and
umpan balik, the two ratings and the predikat they give. It may be redone while the month is open for review.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from kinerja import audit, notify
from kinerja.core import signatory
from kinerja.core.assignments import assignment_on
from kinerja.core.locks import lock_employee
from kinerja.core.periods import month_closed
from kinerja.core.plans import plan_in_force
from kinerja.database import finish
from kinerja.errors import NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.models import Agency, Assignment, Iki, Skp, User
from kinerja.models.skp import (
    Evaluation,
    EvaluationIndicator,
    OrganisationPredikat,
    OrgPredikat,
    Predikat,
    Rating,
)
from kinerja.skp import queries
from kinerja.skp.predikat import Breach, check_distribution, predikat
from kinerja.skp.rights import Decider, decidable, decider, owner_agency_id
from kinerja.workcalendar import month_days

TEXT_LIMIT = 2000
ADJUSTMENT_LIMIT = Decimal("10000000000")  # Numeric(12, 2)


# --- Evaluating a month -----------------------------------------------------------------------------------------


@dataclass
class IndicatorInput:
    adjustment: Decimal | None = None
    note: str = ""
    feedback: str = ""


def month_end(first: date) -> date:
    return month_days(first.year, first.month)[1]


def load_to_evaluate(user: User, employee_id: int, first: date, today: date) -> tuple[Skp, Decider]:
    """The plan of the month the user evaluates today, with how (as appraiser or Plh), else 404."""
    skp = plan_in_force(employee_id, first)
    found = decider(user, skp, today) if skp is not None else None
    if found is None:
        abort(404)
    return queries.load_plan(skp.id), found


def indicators_of(skp: Skp) -> list[Iki]:
    return [iki for rhk in skp.rhk for iki in rhk.indicators]


def evaluation_of(skp_id: int, year: int, month: int) -> Evaluation | None:
    return db.session.scalar(select(Evaluation).where(Evaluation.skp_id == skp_id, Evaluation.year == year,
                                                      Evaluation.month == month))


def agency_of_month(skp: Skp, first: date) -> int | None:
    assignment = assignment_on(skp.employee_id, first)
    return assignment.agency_id if assignment is not None else owner_agency_id(skp)


def month_open(skp: Skp, first: date, today: date) -> bool:
    agency_id = agency_of_month(skp, first)
    if agency_id is None:
        return False
    return not month_closed(agency_id, first, today, lock_day_setting="REVIEW_LOCK_DAY")


def clean_adjustment(value, iki_id: int) -> Decimal:
    if value is None or value == "":
        return Decimal("0.00")
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationFailed(_("Penyesuaian harus berupa angka."), field=f"adjustment_{iki_id}") from None
    if not number.is_finite() or abs(number) >= ADJUSTMENT_LIMIT:
        raise ValidationFailed(_("Penyesuaian di luar batas."), field=f"adjustment_{iki_id}")
    return number


def clean_note(value: str | None, field_name: str) -> str:
    text = (value or "").strip()
    if len(text) > TEXT_LIMIT:
        raise ValidationFailed(_("Teks paling panjang %(n)d karakter.", n=TEXT_LIMIT), field=field_name)
    return text


def evaluate(actor: User, skp: Skp, first: date, today: date, rating_result: Rating, rating_behaviour: Rating,
             indicators: dict[int, IndicatorInput]) -> Evaluation:
    """Save (or redo) the month's evaluation of an approved plan: refused when the actor does not decide the plan,
    the month lies outside the plan's period or in the future, or the month is closed for review."""
    found = decider(actor, skp, today)
    if found is None:
        raise NotAllowed(_("SKP ini bukan untuk Anda nilai."))
    if not (skp.period_start.replace(day=1) <= first <= skp.period_end):
        raise ValidationFailed(_("Bulan di luar periode SKP."))
    if first > today:
        raise NotAllowed(_("Bulan %(month)s belum dimulai.", month=format_date(first, "MMMM y")))
    try:
        result, behaviour = Rating(rating_result), Rating(rating_behaviour)
    except ValueError:
        raise ValidationFailed(_("Pilih penilaian hasil kerja dan perilaku kerja."), field="rating_result") from None
    lock_employee(skp.employee_id)
    if not month_open(skp, first, today):
        raise NotAllowed(_("Bulan %(month)s sudah ditutup untuk penilaian.", month=format_date(first, "MMMM y")))
    ikis = {iki.id for iki in indicators_of(skp)}
    cleaned = {}
    for iki_id, data in indicators.items():
        if iki_id not in ikis:
            raise ValidationFailed(_("Indikator bukan bagian dari SKP ini."))
        cleaned[iki_id] = (clean_adjustment(data.adjustment, iki_id), clean_note(data.note, f"note_{iki_id}"),
                           clean_note(data.feedback, f"feedback_{iki_id}"))

    evaluation = evaluation_of(skp.id, first.year, first.month)
    before = evaluation.predikat.value if evaluation is not None and evaluation.predikat else None
    if evaluation is None:
        evaluation = Evaluation(employee_id=skp.employee_id, skp_id=skp.id, year=first.year, month=first.month)
        db.session.add(evaluation)
    evaluation.rating_result, evaluation.rating_behaviour = result, behaviour
    evaluation.predikat = predikat(result, behaviour)
    evaluation.evaluated_by = actor.id
    evaluation.evaluated_for_id = found.acting_for_id
    existing = {item.iki_id: item for item in evaluation.indicators}
    for iki_id, (adjustment, note, feedback) in cleaned.items():
        item = existing.get(iki_id)
        if item is None:
            item = EvaluationIndicator(iki_id=iki_id)
            evaluation.indicators.append(item)
        item.adjustment, item.note, item.feedback = adjustment, note, feedback
    db.session.flush()

    audit.record(actor, audit.Change("evaluation", evaluation.id, "evaluate", before, evaluation.predikat.value,
                                     agency_of_month(skp, first), found.acting_for_id))
    name = signatory.name_of(actor, found.acting_for_id, today)
    owners = db.session.scalars(select(User.id).where(User.employee_id == skp.employee_id))
    notify.send(notify.Notice(user_id, "approved", {"n": 1, "name": name},
                              link=f"/skp/{skp.id}?bulan={first:%Y-%m}#evaluasi") for user_id in owners)
    finish()
    return evaluation


# --- Roll-up per quarter or year ---------------------------------------------------------------------------------


@dataclass
class RollupRow:
    iki: Iki
    realisation: Decimal = Decimal("0.00")
    adjustment: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        return self.realisation + self.adjustment


@dataclass
class Rollup:
    label: str
    months: list[date]
    rows: list[RollupRow] = field(default_factory=list)
    predikats: list[tuple[date, Predikat | None]] = field(default_factory=list)


def parse_periode(text: str | None, year: int) -> tuple[str, list[int]] | None:
    """'2026-Q3' → months 7–9, '2026' → 1–12, within the plan's year; else None."""
    text = (text or "").strip().upper()
    if text == str(year):
        return text, list(range(1, 13))
    if len(text) == 7 and text[:4] == str(year) and text[4:6] == "-Q" and text[6] in "1234":
        quarter = int(text[6])
        return text, list(range(3 * quarter - 2, 3 * quarter + 1))
    return None


def rollup(skp: Skp, periode: str | None) -> Rollup | None:
    """Per IKI of the plan, the months' realisation plus adjustments, and each month's predikat (months of the
    period inside the plan's)."""
    parsed = parse_periode(periode, skp.year)
    if parsed is None:
        return None
    label, numbers = parsed
    months = [date(skp.year, number, 1) for number in numbers
              if skp.period_start.replace(day=1) <= date(skp.year, number, 1) <= skp.period_end]
    rows = {iki.id: RollupRow(iki) for iki in indicators_of(skp)}
    for first in months:
        for iki_id, done in queries.realisation(skp.employee_id, first.year, first.month).items():
            if iki_id in rows:
                rows[iki_id].realisation += done.quantity
    evaluations = {
        item.month: item for item in db.session.scalars(
            select(Evaluation).where(Evaluation.skp_id == skp.id, Evaluation.year == skp.year,
                                     Evaluation.month.in_(numbers or [-1]))
        )
    }
    adjustments = db.session.execute(
        select(EvaluationIndicator.iki_id, func.sum(EvaluationIndicator.adjustment))
        .join(Evaluation, Evaluation.id == EvaluationIndicator.evaluation_id)
        .where(Evaluation.skp_id == skp.id, Evaluation.year == skp.year,
               Evaluation.month.in_([first.month for first in months] or [-1]))
        .group_by(EvaluationIndicator.iki_id)
    )
    for iki_id, total in adjustments:
        if iki_id in rows:
            rows[iki_id].adjustment += Decimal(str(total or 0)).quantize(Decimal("0.01"))
    predikats = [(first, evaluations[first.month].predikat if first.month in evaluations else None)
                 for first in months]
    return Rollup(label, months, list(rows.values()), predikats)


# --- Organisation predikat and the distribution check -----------------------------------------------------------


@dataclass
class AgencyDistribution:
    agency: Agency
    org_predikat: OrgPredikat | None
    counts: dict[Predikat, int]
    breaches: list[Breach]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def staff_predikat_counts(year: int, agency_ids: list[int] | None = None) -> dict[int, Counter]:
    """Per agency, the staff's predikat for the year: each employee's latest evaluation of the year, counted in
    the agency of their assignment at the start of the evaluated plan (two queries)."""
    latest_month = (
        select(Evaluation.employee_id, func.max(Evaluation.month).label("month"))
        .where(Evaluation.year == year, Evaluation.predikat.is_not(None))
        .group_by(Evaluation.employee_id).subquery()
    )
    rows = db.session.execute(
        select(Evaluation.employee_id, Evaluation.skp_id, Evaluation.predikat)
        .join(latest_month, (latest_month.c.employee_id == Evaluation.employee_id)
              & (latest_month.c.month == Evaluation.month))
        .where(Evaluation.year == year, Evaluation.predikat.is_not(None))
        .order_by(Evaluation.id)
    ).all()
    latest = {}
    for employee_id, skp_id, value in rows:
        latest[employee_id] = (skp_id, value)  # the last (highest id) wins
    if not latest:
        return {}
    skp_ids = {skp_id for skp_id, _value in latest.values()}
    placement = select(Skp.id, Assignment.agency_id).join(
        Assignment, (Assignment.employee_id == Skp.employee_id) & (Assignment.valid_from <= Skp.period_start)
        & or_(Assignment.valid_to.is_(None), Assignment.valid_to >= Skp.period_start)
    ).where(Skp.id.in_(skp_ids)).order_by(Assignment.valid_from)
    if agency_ids is not None:
        placement = placement.where(Assignment.agency_id.in_(agency_ids or [-1]))
    agency_of_skp = dict(db.session.execute(placement).all())  # the latest assignment wins
    counts: dict[int, Counter] = {}
    for skp_id, value in latest.values():
        agency_id = agency_of_skp.get(skp_id)
        if agency_id is not None:
            counts.setdefault(agency_id, Counter())[Predikat(value)] += 1
    return counts


def distribution(year: int, agencies: list[Agency]) -> list[AgencyDistribution]:
    """For each agency, its organisation predikat of the year, its staff's predikat counts and the rule's
    breaches (a fixed number of queries)."""
    ids = [agency.id for agency in agencies]
    org = dict(db.session.execute(
        select(OrganisationPredikat.agency_id, OrganisationPredikat.predikat)
        .where(OrganisationPredikat.year == year, OrganisationPredikat.agency_id.in_(ids or [-1]))
    ).all())
    counts = staff_predikat_counts(year, ids)
    result = []
    for agency in agencies:
        found = counts.get(agency.id, Counter())
        ordered = {item: found.get(item, 0) for item in Predikat}
        value = OrgPredikat(org[agency.id]) if agency.id in org else None
        result.append(AgencyDistribution(agency, value, ordered,
                                         check_distribution(value, ordered) if value is not None else []))
    return result


def set_org_predikats(actor: User, year: int, choices: dict[int, OrgPredikat | None]) -> int:
    """Store BKD's organisation predikat of the year per agency (None clears it); audited; returns changes."""
    existing = {item.agency_id: item for item in db.session.scalars(
        select(OrganisationPredikat).where(OrganisationPredikat.year == year,
                                           OrganisationPredikat.agency_id.in_(list(choices) or [-1]))
    )}
    changes = []
    for agency_id, value in choices.items():
        item = existing.get(agency_id)
        before = item.predikat.value if item is not None else None
        after = value.value if value is not None else None
        if before == after:
            continue
        if item is None:
            item = OrganisationPredikat(agency_id=agency_id, year=year, predikat=value)
            db.session.add(item)
        elif value is None:
            db.session.delete(item)
        else:
            item.predikat = value
        db.session.flush()
        changes.append(audit.Change("organisation_predikat", item.id, "set_predikat", before, after, agency_id,
                                    reason=str(year)))
    audit.record_many(actor, changes)
    finish()
    return len(changes)


def all_agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.code, Agency.id)))


def evaluable_subordinates(user: User, today: date) -> list[Skp]:
    """Plans in force today of people whose plans the user decides (for the links to evaluate them)."""
    return list(db.session.scalars(
        decidable(user, today).where(Skp.in_force(), Skp.period_start <= today, Skp.period_end >= today)
        .options(selectinload(Skp.employee)).order_by(Skp.employee_id)
    ))
