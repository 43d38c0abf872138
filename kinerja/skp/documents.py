"""The SKP document and the evaluation document (PermenPANRB 6/2022 layouts) as plain data.

`skp_document` and `evaluation_document` load everything a document shows in a few queries and return frozen
values already formatted in Indonesian (official documents, whatever the reader's language); the renderers in
kinerja.skp.document_files turn them into PDF and XLSX.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import force_locale, gettext
from sqlalchemy import select

from kinerja import clock
from kinerja.core import periods
from kinerja.extensions import db
from kinerja.i18n import format_date, format_number
from kinerja.models import Assignment, OrganisationPredikat, Skp, SkpStatus
from kinerja.models.skp import BehaviourValue, Predikat, RhkKind
from kinerja.reports import data as report_data
from kinerja.reports.model import Person
from kinerja.skp import evaluation, queries


@dataclass(frozen=True)
class Header:
    """Kop, identities and signature place shared by both documents."""

    regency: str
    agency: str
    logo: str | None
    city: str
    employee: Person
    appraiser: Person | None
    signature_date: str


@dataclass(frozen=True)
class IndicatorRow:
    iki_id: int
    aspect: str
    text: str
    target: str
    unit: str


@dataclass(frozen=True)
class RhkRow:
    kind: RhkKind
    parent: str  # the appraiser's RHK it intervenes, or the agency goal for a top official
    text: str
    indicators: tuple[IndicatorRow, ...]


@dataclass(frozen=True)
class BehaviourRow:
    value: str
    expectation: str


@dataclass(frozen=True)
class SkpDocument:
    header: Header
    period_label: str
    version: int
    status_label: str
    is_draft: bool
    main: tuple[RhkRow, ...]
    additional: tuple[RhkRow, ...]
    behaviours: tuple[BehaviourRow, ...]
    lampiran: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ResultRow:
    kind: RhkKind
    parent: str
    rhk: str
    aspect: str
    indicator: str
    target: str
    realised: str
    feedback: str


@dataclass(frozen=True)
class EvaluationDocument:
    header: Header
    period_kind: str  # "BULANAN" / "TRIWULANAN" / "TAHUNAN"
    period_label: str
    organisation_predikat: str
    results: tuple[ResultRow, ...]
    behaviours: tuple[BehaviourRow, ...]
    rating_result: str
    rating_behaviour: str
    predikat: str
    months: tuple[tuple[str, str], ...]  # (month, predikat) of a quarter or year
    is_draft: bool


def _number(value: Decimal) -> str:
    return format_number(value, 2 if value != value.to_integral_value() else 0)


def _header(skp: Skp, day: date) -> Header:
    """Identities as assigned on `day`, signed by the plan's appraiser (or the Plh/Plt standing in that day)."""
    regency = report_data.regency_info()
    employee = report_data.people({skp.employee_id: day})[skp.employee_id]
    appraiser = report_data.signers({skp.employee_id: skp.appraiser_id}, {skp.employee_id: day})[skp.employee_id]
    return Header(regency=regency.name, agency=employee.agency, logo=regency.logo, city=regency.city,
                  employee=employee, appraiser=appraiser, signature_date=format_date(day))


def _rhk_rows(skp: Skp) -> list[RhkRow]:
    rows = []
    for rhk in skp.rhk:
        parent = rhk.parent.text if rhk.parent is not None else (skp.agency_goal or "")
        indicators = tuple(IndicatorRow(iki.id, iki.aspect.label, iki.text, f"{_number(iki.target_value)} {iki.unit}",
                                        iki.unit)
                           for iki in rhk.indicators)
        rows.append(RhkRow(rhk.kind, parent, rhk.text, indicators))
    return rows


def _behaviours(skp: Skp) -> tuple[BehaviourRow, ...]:
    expected = {item.value: item.expectation for item in skp.behaviours}
    return tuple(BehaviourRow(value.label, expected.get(value, "")) for value in BehaviourValue)


def _period(start: date, end: date) -> str:
    return f"{format_date(start)} s.d. {format_date(end)}"


def skp_document(skp: Skp) -> SkpDocument:
    """The SKP as agreed (or as drafted: then it carries a DRAF mark)."""
    with force_locale("id"):
        signed = skp.approved_at.astimezone(clock.zone()).date() if skp.approved_at else skp.period_start
        rows = _rhk_rows(skp)
        return SkpDocument(
            header=_header(skp, min(max(signed, skp.period_start), skp.period_end)),
            period_label=_period(skp.period_start, skp.period_end), version=skp.version,
            status_label=skp.status.label, is_draft=skp.status is not SkpStatus.APPROVED,
            main=tuple(row for row in rows if row.kind is RhkKind.MAIN),
            additional=tuple(row for row in rows if row.kind is RhkKind.ADDITIONAL),
            behaviours=_behaviours(skp),
            lampiran=(
                (gettext("Dukungan sumber daya"), skp.dukungan_sumber_daya),
                (gettext("Skema pertanggungjawaban"), skp.skema_pertanggungjawaban),
                (gettext("Konsekuensi"), skp.konsekuensi),
            ),
        )


def parse_document_period(text: str, skp: Skp) -> tuple[str, list[date]] | None:
    """'2026-11' (a month), '2026-Q3' or '2026': the period's kind and its months inside the plan, else None."""
    first = periods.parse_month(text)
    if first is not None:
        inside = skp.period_start.replace(day=1) <= first <= skp.period_end
        return ("month", [first]) if inside else None
    parsed = evaluation.parse_periode(text, skp.year)
    if parsed is None:
        return None
    months = [date(skp.year, number, 1) for number in parsed[1]
              if skp.period_start.replace(day=1) <= date(skp.year, number, 1) <= skp.period_end]
    return ("year" if len(parsed[1]) == 12 else "quarter", months) if months else None


def _organisation_predikat(skp: Skp, year: int, day: date) -> str:
    agency_id = db.session.scalar(
        select(Assignment.agency_id).where(Assignment.employee_id == skp.employee_id, Assignment.active_on(day))
        .order_by(Assignment.valid_from.desc()).limit(1))
    found = db.session.scalar(select(OrganisationPredikat.predikat).where(
        OrganisationPredikat.agency_id == agency_id, OrganisationPredikat.year == year))
    return found.label if found is not None else gettext("Belum ditetapkan")


def _period_heading(kind: str, months: list[date]) -> tuple[str, str]:
    if kind == "month":
        return gettext("BULANAN"), format_date(months[0], "MMMM y")
    if kind == "quarter":
        quarter = (months[0].month - 1) // 3 + 1
        return gettext("TRIWULANAN"), gettext("Triwulan %(quarter)s %(year)s", quarter=quarter, year=months[0].year)
    return gettext("TAHUNAN"), gettext("Tahun %(year)s", year=months[0].year)


def evaluation_document(skp: Skp, kind: str, months: list[date], today: date) -> EvaluationDocument:
    """The evaluation of a month, quarter or year: realisation per IKI with feedback, ratings and predikat. For
    a quarter or a year the ratings are the last rated month's, and each month's predikat is listed."""
    with force_locale("id"):
        last = evaluation.month_end(months[-1])
        day = min(max(min(today, last), skp.period_start), skp.period_end)
        done: dict[int, Decimal] = {}
        proofs: dict[int, int] = {}
        feedback: dict[int, list[str]] = {}
        rated = []
        for first in months:
            for iki_id, line in queries.realisation(skp.employee_id, first.year, first.month).items():
                done[iki_id] = done.get(iki_id, Decimal(0)) + line.quantity
            for iki_id, lines in queries.evidence_by_indicator(skp.employee_id, first.year, first.month).items():
                proofs[iki_id] = proofs.get(iki_id, 0) + len(lines)
            saved = evaluation.evaluation_of(skp.id, first.year, first.month)
            if saved is None:
                continue
            rated.append((first, saved))
            for item in saved.indicators:
                done[item.iki_id] = done.get(item.iki_id, Decimal(0)) + item.adjustment
                if item.feedback:
                    feedback.setdefault(item.iki_id, []).append(item.feedback)
        results = tuple(
            ResultRow(row.kind, row.parent, row.text, iki.aspect, iki.text, iki.target,
                      _realised(done.get(iki.iki_id, Decimal(0)), iki.unit, proofs.get(iki.iki_id, 0)),
                      "\n".join(feedback.get(iki.iki_id, [])))
            for row in _rhk_rows(skp) for iki in row.indicators)
        latest = rated[-1][1] if rated else None
        period_kind, period_label = _period_heading(kind, months)
        return EvaluationDocument(
            header=_header(skp, day), period_kind=period_kind, period_label=period_label,
            organisation_predikat=_organisation_predikat(skp, months[0].year, day), results=results,
            behaviours=_behaviours(skp),
            rating_result=latest.rating_result.label if latest and latest.rating_result else "",
            rating_behaviour=latest.rating_behaviour.label if latest and latest.rating_behaviour else "",
            predikat=latest.predikat.label if latest and latest.predikat else "",
            months=tuple((format_date(first, "MMMM y"), _predikat_label(saved.predikat)) for first, saved in rated)
            if kind != "month" else (),
            is_draft=latest is None or len(rated) < len(months),
        )


def _realised(quantity: Decimal, unit: str, proofs: int) -> str:
    text = f"{_number(quantity)} {unit}"
    if not proofs:
        return text
    return gettext("%(amount)s (%(n)d bukti dukung)", amount=text, n=proofs)


def _predikat_label(predikat: Predikat | None) -> str:
    return predikat.label if predikat is not None else "-"
