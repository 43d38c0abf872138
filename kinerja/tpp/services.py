"""Locking an agency's TPP month (a snapshot later edits never alter), reopening it, recording penalties.

A locked month is read from its slips; an open month is computed live (`month.compute_month`), so a reopen
recomputes by itself. Every action is audited; a reopen needs a reason, and marks the month's stored daftar
nominatif and its signed versions superseded (they are kept: what was signed stays checkable).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from kinerja import audit, clock
from kinerja.core.assignments import assignment_on
from kinerja.database import finish
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.models import Agency, Employee, TppAgencyScore, TppPenalty, TppPeriod, TppRuleSet, TppSlip, User
from kinerja.permissions import admin_agency_ids, is_global_admin
from kinerja.reports import store
from kinerja.tpp.engine import Line, LineKind, Result
from kinerja.tpp.month import Computed, Person, compute_month
from kinerja.tpp.rules import format_percent, grouped, parse_percent


def period_of(agency_id: int, first: date) -> TppPeriod | None:
    return db.session.scalar(select(TppPeriod).where(
        TppPeriod.agency_id == agency_id, TppPeriod.year == first.year, TppPeriod.month == first.month))


def lines_json(lines: tuple[Line, ...]) -> str:
    return json.dumps([{"kind": line.kind.value, "code": line.code, "amount": line.amount, "params": line.params}
                       for line in lines], ensure_ascii=False, separators=(",", ":"))


def lines_from(text: str) -> tuple[Line, ...]:
    return tuple(Line(LineKind(item["kind"]), item["code"], item["amount"], item["params"])
                 for item in json.loads(text))


def slip_result(slip: TppSlip) -> Result:
    return Result(base=slip.base, kinerja_rate=slip.kinerja_rate, kinerja=slip.kinerja,
                  discipline_share=slip.discipline_share, discipline_cuts=slip.discipline_cuts, third=slip.third,
                  gross=slip.gross, penalty=slip.penalty, net=slip.net, lines=lines_from(slip.lines))


def agencies_month(first: date, today: date, agency_ids: list[int] | None = None
                   ) -> dict[int, tuple[list[Computed], TppPeriod | None]]:
    """Each agency's rows (all agencies when None), ordered by class then name, with its lock: a locked month
    from its slips, the others computed now in one go (the locked agencies' people are not computed again)."""
    query = select(TppPeriod).where(TppPeriod.year == first.year, TppPeriod.month == first.month)
    if agency_ids is not None:
        query = query.where(TppPeriod.agency_id.in_(agency_ids))
    locked = {period.agency_id: period for period in db.session.scalars(query)}
    months: dict[int, tuple[list[Computed], TppPeriod | None]] = {
        agency_id: ([], locked.get(agency_id)) for agency_id in (
            agency_ids if agency_ids is not None else db.session.scalars(select(Agency.id)))}
    if locked:
        agency_of = {period.id: agency_id for agency_id, period in locked.items()}
        for slip in db.session.scalars(select(TppSlip).where(TppSlip.period_id.in_(list(agency_of)))
                                       .order_by(TppSlip.class_grade.desc(), TppSlip.name)):
            agency_id = agency_of[slip.period_id]
            months[agency_id][0].append(Computed(
                Person(slip.employee_id, slip.name, slip.id_number, slip.grade, "", agency_id, slip.position,
                       slip.class_grade, slip.ceiling), slip_result(slip)))
    live = [agency_id for agency_id in months if agency_id not in locked]
    if live:
        for item in compute_month(first, today, agency_ids=live).rows:
            months[item.person.agency_id][0].append(item)
    return months


def agency_month(agency: Agency, first: date, today: date) -> tuple[list[Computed], TppPeriod | None]:
    """The agency's rows: from the snapshot when the month is locked, else computed now."""
    return agencies_month(first, today, [agency.id])[agency.id]


def set_treasurer(actor: User, agency: Agency, employee_id: int | None, today: date) -> None:
    """Name the agency's bendahara pengeluaran (someone assigned to the agency today), or nobody; audited."""
    if not (is_global_admin(actor) or agency.id in admin_agency_ids(actor)):
        raise NotAllowed(_("Hanya admin OPD atau BKD yang dapat menetapkan bendahara."))
    if employee_id is not None:
        assignment = assignment_on(employee_id, today)
        if assignment is None or assignment.agency_id != agency.id:
            raise ValidationFailed(_("Bendahara harus pegawai OPD ini."), field="treasurer_id")
    before = agency.treasurer_id
    if before == employee_id:
        return
    agency.treasurer_id = employee_id
    audit.record(actor, audit.Change("agency", agency.id, "set_treasurer", str(before or "-"),
                                     str(employee_id or "-"), agency_id=agency.id))
    finish()


@dataclass(frozen=True)
class PersonMonth:
    row: Computed | None  # None: no assignment in the month
    period: TppPeriod | None  # set when the month of the person's agency is locked
    rule_set: TppRuleSet | None


def person_month(employee_id: int, first: date, today: date) -> PersonMonth:
    """One person's month: the locked slip when their agency's month is locked, else computed now."""
    computed = compute_month(first, today, employee_ids=[employee_id])
    row = computed.rows[0] if computed.rows else None
    period = period_of(row.person.agency_id, first) if row is not None else None
    if period is not None:
        slip = db.session.scalar(select(TppSlip).where(TppSlip.period_id == period.id,
                                                       TppSlip.employee_id == employee_id))
        if slip is not None:
            row = Computed(row.person, slip_result(slip))
            return PersonMonth(row, period, period.rule_set)
    return PersonMonth(row, None, computed.rule_set)


def lock_month(actor: User, agency: Agency, first: date, today: date, reason: str = "") -> TppPeriod:
    """Compute the agency's month and store it as it is now; refused while the month is not over."""
    if not is_global_admin(actor):
        raise NotAllowed(_("Hanya admin BKD yang dapat mengunci TPP."))
    if first >= today.replace(day=1):
        raise ValidationFailed(_("Bulan %(month)s belum berakhir; TPP dikunci setelah bulannya selesai.",
                                 month=format_date(first, "MMMM y")))
    if period_of(agency.id, first) is not None:
        raise Conflict(_("TPP %(agency)s bulan %(month)s sudah dikunci.", agency=agency.short_name,
                         month=format_date(first, "MMMM y")))
    computed = compute_month(first, today, agency_ids=[agency.id])
    if computed.rule_set is None:
        raise ValidationFailed(_("Belum ada aturan TPP yang berlaku untuk bulan %(month)s.",
                                 month=format_date(first, "MMMM y")))
    period = TppPeriod(agency_id=agency.id, year=first.year, month=first.month, rule_set_id=computed.rule_set.id,
                       locked_at=clock.utcnow(), locked_by_id=actor.id)
    db.session.add(period)
    try:
        db.session.flush()
    except IntegrityError as error:  # another BKD admin locked it in the same instant
        db.session.rollback()
        raise Conflict(_("TPP %(agency)s bulan %(month)s sudah dikunci.", agency=agency.short_name,
                         month=format_date(first, "MMMM y"))) from error
    rows = [slip_row(period.id, item) for item in computed.rows]
    if rows:
        db.session.execute(insert(TppSlip), rows)
    net = sum(item.result.net for item in computed.rows)
    audit.record(actor, audit.Change("tpp_period", period.id, "lock_tpp", None, f"{first:%Y-%m}",
                                     agency_id=agency.id,
                                     reason=_("%(n)s pegawai, jumlah bersih Rp %(net)s", n=len(rows),
                                              net=grouped(net)) + (f"; {reason}" if reason else "")))
    finish()
    return period


def slip_row(period_id: int, item: Computed) -> dict:
    person, result = item.person, item.result
    values = asdict(result)
    values.pop("lines")
    return {"period_id": period_id, "employee_id": person.employee_id, "name": person.name,
            "id_number": person.id_number, "grade": person.grade, "position": person.position,
            "class_grade": person.class_grade, "ceiling": person.ceiling, "lines": lines_json(result.lines),
            **values}


def reopen_month(actor: User, period: TppPeriod, reason: str) -> None:
    """Drop the snapshot: the month is computed live again until it is locked anew."""
    if not is_global_admin(actor):
        raise NotAllowed(_("Hanya admin BKD yang dapat membuka kembali TPP."))
    if not reason.strip():
        raise ValidationFailed(_("Sebutkan alasan membuka kembali."), field="reason")
    audit.record(actor, audit.Change("tpp_period", period.id, "reopen_tpp", f"{period.year}-{period.month:02d}",
                                     None, agency_id=period.agency_id, reason=reason.strip()))
    db.session.execute(delete(TppSlip).where(TppSlip.period_id == period.id))
    store.supersede(store.Subject(store.TPP_NOMINATIVE, period.year, period.month, agency_id=period.agency_id))
    db.session.delete(period)
    finish()


def add_penalty(actor: User, id_number: str, decree: str, first_month: str, months: int, rate: int,
                note: str = "") -> TppPenalty:
    if not is_global_admin(actor):
        raise NotAllowed(_("Hanya admin BKD yang dapat mencatat hukuman disiplin."))
    employee = db.session.scalar(select(Employee).where(Employee.id_number == id_number.strip()))
    if employee is None:
        raise ValidationFailed(_("Tidak ada pegawai dengan NIP %(nip)s.", nip=id_number.strip()),
                               field="employee_id_number")
    try:
        first = date.fromisoformat(f"{first_month.strip()}-01")
    except ValueError:
        raise ValidationFailed(_("Isi bulan dengan format TTTT-BB, misalnya 2027-01."), field="first_month") from None
    if months not in (6, 9, 12):
        raise ValidationFailed(_("Pemotongan berlaku 6, 9 atau 12 bulan (PP 94/2021)."), field="months")
    points = parse_percent(str(rate), "rate")
    if points <= 0:
        raise ValidationFailed(_("Persentase harus antara 1 dan 100."), field="rate")
    penalty = TppPenalty(employee_id=employee.id, decree_number=decree.strip(), first_month=first, months=months,
                         rate=points, note=note.strip(), recorded_by_id=actor.id)
    db.session.add(penalty)
    db.session.flush()
    audit.record(actor, audit.Change("tpp_penalty", penalty.id, "add_penalty", None, f"{first:%Y-%m}+{months}",
                                     reason=f"{decree.strip()} · {employee.id_number} · {points // 100}%"))
    finish()
    return penalty


def delete_penalty(actor: User, penalty: TppPenalty, reason: str) -> None:
    if not is_global_admin(actor):
        raise NotAllowed(_("Hanya admin BKD yang dapat menghapus hukuman disiplin."))
    if not reason.strip():
        raise ValidationFailed(_("Sebutkan alasan menghapus."), field="reason")
    audit.record(actor, audit.Change("tpp_penalty", penalty.id, "delete_penalty",
                                     f"{penalty.first_month:%Y-%m}+{penalty.months}", None,
                                     reason=f"{penalty.decree_number}: {reason.strip()}"))
    db.session.delete(penalty)
    finish()


# --- Agency scores of a measured third share ----------------------------------------------------------------


def scores_of(first: date) -> dict[int, TppAgencyScore]:
    """Each agency's score of the month, by agency id."""
    return {row.agency_id: row for row in db.session.scalars(select(TppAgencyScore).where(
        TppAgencyScore.year == first.year, TppAgencyScore.month == first.month))}


def set_agency_scores(actor: User, first: date, entries: dict[int, tuple[int | None, str]]) -> int:
    """BKD's scores of the month (agency id → (basis points, or None to clear; the note or source)); only the
    changed ones are stored, each audited; an agency whose month is locked is refused. Answers how many changed."""
    if not is_global_admin(actor):
        raise NotAllowed(_("Hanya admin BKD yang dapat mengisi nilai OPD."))
    current = scores_of(first)
    locked = set(db.session.scalars(select(TppPeriod.agency_id).where(
        TppPeriod.year == first.year, TppPeriod.month == first.month)))
    names = dict(db.session.execute(select(Agency.id, Agency.short_name).where(Agency.id.in_(list(entries)))).all())
    changes = []
    for agency_id, (score, note) in sorted(entries.items()):
        if agency_id not in names:
            raise ValidationFailed(_("OPD tidak dikenal."), field=f"score_{agency_id}")
        row = current.get(agency_id)
        note = note.strip()[:300]
        unchanged = score is None if row is None else (row.score, row.note) == (score, note)
        if unchanged:
            continue
        if score is not None and not 0 <= score <= 10_000:
            raise ValidationFailed(_("Persentase harus antara 0 dan %(max)s%%.", max="100"),
                                   field=f"score_{agency_id}")
        if agency_id in locked:
            raise ValidationFailed(_("TPP %(agency)s bulan %(month)s sudah dikunci; buka kembali bulannya untuk "
                                     "mengubah nilainya.", agency=names[agency_id],
                                     month=format_date(first, "MMMM y")), field=f"score_{agency_id}")
        before = f"{format_percent(row.score)}%" if row is not None else None
        if score is None:
            db.session.delete(row)
            changes.append(audit.Change("tpp_agency_score", row.id, "clear_agency_score", before, None,
                                        agency_id=agency_id, reason=f"{first:%Y-%m}"))
            continue
        if row is None:
            row = TppAgencyScore(agency_id=agency_id, year=first.year, month=first.month)
            db.session.add(row)
        row.score, row.note, row.recorded_by_id = score, note, actor.id
        db.session.flush()
        changes.append(audit.Change("tpp_agency_score", row.id, "set_agency_score", before,
                                    f"{format_percent(score)}%", agency_id=agency_id,
                                    reason=f"{first:%Y-%m}" + (f": {note}" if note else "")))
    audit.record_many(actor, changes)
    finish()
    return len(changes)
