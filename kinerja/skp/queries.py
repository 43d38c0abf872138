"""Reading SKP: the plan in force on a day, the appraiser's plan to cascade from, the IKI an activity may
realise, and the month's realisation per IKI from approved daily activities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Date, Integer, bindparam, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from kinerja.core import signatory
from kinerja.core.output import IkiRealisation, outputs_of, realise
from kinerja.extensions import db
from kinerja.models import Activity, ActivityStatus, Evidence, EvidenceKind, Iki, Rhk, Skp, SkpStatus, User
from kinerja.skp.rights import decidable
from kinerja.workcalendar import month_days


def approved_skp_on(employee_id: int | None, day: date) -> Skp | None:
    """The employee's approved plan in force on the day."""
    if employee_id is None:
        return None
    return db.session.scalar(
        select(Skp).where(Skp.employee_id == employee_id, Skp.period_start <= day, Skp.period_end >= day,
                          Skp.in_force())
        .order_by(Skp.version.desc()).limit(1)
    )


def appraiser_skp(skp: Skp) -> Skp | None:
    """The appraiser's approved plan covering the start of the plan's period: what its RHK cascade from."""
    return approved_skp_on(skp.appraiser_id, skp.period_start)


def stand_in_approver(skp: Skp) -> str | None:
    """Who approved the plan standing in for its appraiser, in the official form ("<name>, Plh. <position>")."""
    if skp.approved_for_id is None or skp.approved_at is None or skp.approved_by is None:
        return None
    act = signatory.Act(skp.approved_by, skp.approved_for_id, signatory.day_of(skp.approved_at))
    return signatory.names([act]).get(act)


def parent_choices(skp: Skp) -> list[Rhk]:
    source = appraiser_skp(skp)
    return list(source.rhk) if source is not None else []


@dataclass(frozen=True)
class IkiChoice:
    id: int
    label: str
    unit: str


def iki_choices(employee_id: int, day: date) -> list[IkiChoice]:
    """The IKI of the employee's approved plan in force on the day, in the plan's order (one query)."""
    rows = db.session.execute(iki_choices_statement(), {"employee_id": employee_id, "day": day})
    return [IkiChoice(iki_id, f"{text} ({unit})", unit) for iki_id, text, unit in rows]


@cache
def iki_choices_statement():
    """Built once with bound parameters: every day page asks it, and composing it costs more than running it."""
    employee_id, day = bindparam("employee_id", type_=Integer), bindparam("day", type_=Date)
    return (select(Iki.id, Iki.text, Iki.unit)
            .join(Rhk, Rhk.id == Iki.rhk_id).join(Skp, Skp.id == Rhk.skp_id)
            .where(Skp.employee_id == employee_id, Skp.period_start <= day, Skp.period_end >= day, Skp.in_force())
            .order_by(Skp.version.desc(), Rhk.kind.desc(), Rhk.position, Rhk.id, Iki.id))


def realisation(employee_id: int, year: int, month: int) -> dict[int, IkiRealisation]:
    """Per IKI of the employee's plans overlapping the month (and any IKI an approved activity of the month is
    linked to): its realisation (kinerja.core.output)."""
    start, end = month_days(year, month)
    outputs = outputs_of(employee_id, start)
    linked = {indicator_id for indicator_id, _unit in outputs if indicator_id is not None}
    rows = db.session.execute(
        select(Iki.id, Iki.unit).join(Rhk, Rhk.id == Iki.rhk_id).join(Skp, Skp.id == Rhk.skp_id)
        .where(Skp.employee_id == employee_id,
               (Skp.period_start <= end) & (Skp.period_end >= start) | Iki.id.in_(linked or {-1}))
    )
    return {iki_id: realise(outputs, iki_id, unit) for iki_id, unit in rows}


def own_plans(employee_id: int) -> list[Skp]:
    """Every plan of the employee, newest period and version first."""
    return list(db.session.scalars(
        select(Skp).where(Skp.employee_id == employee_id)
        .order_by(Skp.period_start.desc(), Skp.version.desc())
    ))


def versions(skp: Skp) -> list[Skp]:
    """The versions of a plan for its period, newest first."""
    return list(db.session.scalars(
        select(Skp).where(Skp.employee_id == skp.employee_id, Skp.period_start == skp.period_start,
                          Skp.period_end == skp.period_end).order_by(Skp.version.desc())
    ))


def waiting_for(user: User, today: date) -> list[Skp]:
    """Submitted plans the user decides today, oldest submission first."""
    return list(db.session.scalars(
        decidable(user, today).where(Skp.status == SkpStatus.SUBMITTED)
        .options(selectinload(Skp.employee)).order_by(Skp.submitted_at)
    ))


def load_plan(skp_id: int) -> Skp | None:
    """A plan with its RHK, their parents and IKI, and its perilaku, in a few queries."""
    return db.session.scalar(
        select(Skp).where(Skp.id == skp_id).options(
            selectinload(Skp.rhk).selectinload(Rhk.indicators),
            selectinload(Skp.rhk).selectinload(Rhk.parent),
            selectinload(Skp.behaviours),
        )
    )


def indicator_choices(employee_id: int, day: date) -> list[SelectChoice]:
    """The activity form's IKI choices for the day, "no indicator" first."""
    return [SelectChoice(0, _("— tanpa indikator —")),
            *(SelectChoice(choice.id, choice.label) for choice in iki_choices(employee_id, day))]


@dataclass(frozen=True)
class EvidenceLine:
    """A piece of evidence (bukti dukung) behind an IKI's realisation: of an approved activity linked to it."""

    evidence_id: int
    kind: EvidenceKind
    url: str | None
    name: str | None
    day: date
    description: str


def evidence_by_indicator(employee_id: int, year: int, month: int) -> dict[int, list[EvidenceLine]]:
    """Per IKI, the evidence of the month's approved activities linked to it (one query), oldest first."""
    start, end = month_days(year, month)
    found: dict[int, list[EvidenceLine]] = {}
    for row in db.session.execute(
        select(Activity.indicator_id, Evidence.id, Evidence.kind, Evidence.url, Evidence.original_name,
               Activity.activity_date, Activity.description)
        .join(Activity, Activity.id == Evidence.activity_id)
        .where(Activity.employee_id == employee_id, Activity.activity_date.between(start, end),
               Activity.status == ActivityStatus.APPROVED, Activity.indicator_id.is_not(None))
        .order_by(Activity.activity_date, Activity.start_time, Evidence.id)
    ):
        found.setdefault(row[0], []).append(EvidenceLine(*row[1:]))
    return found
