"""The SKP plan and its workflow: draft (new, copied from an earlier plan, or a revision of an approved one),
RHK cascaded from the appraiser's approved plan, IKI, lampiran, submission, approval or return.

Every action takes the acting user, ends with one commit (audited, and notified where someone must act or
learn of a decision) and refuses bad input with a DomainError naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select, update

from kinerja import audit, clock, notify
from kinerja.core import signatory
from kinerja.core.assignments import assignment_on
from kinerja.core.locks import lock_employee
from kinerja.database import finish
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.models import (
    ActingAssignment,
    BehaviourExpectation,
    BehaviourValue,
    Employee,
    Iki,
    IkiAspect,
    Rhk,
    RhkKind,
    Skp,
    SkpStatus,
    User,
)
from kinerja.skp import queries
from kinerja.skp.rights import Decider, decider, owner_agency_id

TEXT_LIMIT = 2000
TARGET_LIMIT = Decimal("10000000000")  # Numeric(12, 2)


@dataclass
class RhkInput:
    kind: RhkKind
    text: str
    parent_rhk_id: int | None = None


@dataclass
class IkiInput:
    text: str
    target_value: Decimal | None
    unit: str
    aspect: IkiAspect = IkiAspect.QUANTITY


@dataclass
class LampiranInput:
    dukungan_sumber_daya: str = ""
    skema_pertanggungjawaban: str = ""
    konsekuensi: str = ""
    agency_goal: str = ""


def today_for(employee_id: int) -> date:
    """Today in the time zone of the employee's agency (the same clock as the activity rules)."""
    assignment = assignment_on(employee_id, clock.today())
    return clock.today(assignment.agency.timezone if assignment else None)


def require_employee(actor: User) -> Employee:
    if actor.employee is None:
        raise NotAllowed(_("Akun ini tidak terhubung dengan data pegawai."))
    return actor.employee


def require_owner(actor: User, skp: Skp) -> None:
    if actor.employee_id is None or actor.employee_id != skp.employee_id:
        raise NotAllowed(_("Hanya pemilik SKP yang dapat mengubahnya."))


def require_editable(actor: User, skp: Skp) -> None:
    """Own plan, re-read under the owner's lock so a concurrent submission cannot slip in, still editable."""
    require_owner(actor, skp)
    lock_employee(skp.employee_id)
    db.session.refresh(skp)
    if not skp.status.editable:
        raise NotAllowed(_("SKP berstatus %(status)s tidak dapat diubah.", status=skp.status.label))


def clean_text(value: str | None, field: str, message: str, limit: int = TEXT_LIMIT) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, field=field)
    if len(text) > limit:
        raise ValidationFailed(_("Teks paling panjang %(n)d karakter.", n=limit), field=field)
    return text


def change(skp: Skp, action: str, before: str | None, after: str | None, reason: str | None = None,
           acting_for_id: int | None = None) -> audit.Change:
    return audit.Change("skp", skp.id, action, before, after, owner_agency_id(skp), acting_for_id, reason)


# --- Plans ----------------------------------------------------------------------------------------------------


def check_period(employee_id: int, start: date, end: date, *, exclude_id: int | None = None) -> int | None:
    """Refuse a bad or overlapping period; return the appraiser of the assignment at its start."""
    if end < start:
        raise ValidationFailed(_("Akhir periode harus sesudah awal periode."), field="period_end")
    if start.year != end.year:
        raise ValidationFailed(_("Periode SKP harus dalam satu tahun."), field="period_end")
    assignment = assignment_on(employee_id, start)
    if assignment is None:
        raise ValidationFailed(_("Anda tidak memiliki penugasan aktif pada awal periode (%(day)s).",
                                 day=format_date(start)), field="period_start")
    overlapping = select(Skp).where(Skp.employee_id == employee_id, Skp.period_start <= end,
                                    Skp.period_end >= start)
    if exclude_id is not None:
        overlapping = overlapping.where(Skp.id != exclude_id)
    for other in db.session.scalars(overlapping):
        if other.status is not SkpStatus.APPROVED:
            raise ValidationFailed(_("Anda sudah memiliki SKP berstatus %(status)s untuk periode yang beririsan.",
                                     status=other.status.label), field="period_start")
        raise ValidationFailed(_("Periode ini sudah tercakup SKP yang disetujui; ajukan revisi SKP tersebut."),
                               field="period_start")
    return assignment.appraiser_id


def year_period(today: date) -> tuple[date, date]:
    return date(today.year, 1, 1), date(today.year, 12, 31)


def create_skp(actor: User, period_start: date | None = None, period_end: date | None = None, *,
               copy_from: Skp | None = None) -> Skp:
    """A draft plan for the acting employee (by default for the current year), with the seven perilaku values;
    optionally starting from the RHK, IKI and lampiran of an earlier plan of theirs."""
    employee = require_employee(actor)
    default_start, default_end = year_period(today_for(employee.id))
    start, end = period_start or default_start, period_end or default_end
    lock_employee(employee.id)
    appraiser_id = check_period(employee.id, start, end)
    if copy_from is not None:
        require_owner(actor, copy_from)
    skp = Skp(employee_id=employee.id, appraiser_id=appraiser_id, period_start=start, period_end=end,
              version=1, status=SkpStatus.DRAFT)
    skp.behaviours = [BehaviourExpectation(value=value, expectation="") for value in BehaviourValue]
    if copy_from is not None:
        copy_content(copy_from, skp, keep_parents=False)
    db.session.add(skp)
    db.session.flush()
    audit.record(actor, change(skp, "create", None, SkpStatus.DRAFT.value,
                               reason=_("Disalin dari SKP %(year)d", year=copy_from.year) if copy_from else None))
    finish()
    return skp


def copy_content(source: Skp, target: Skp, *, keep_parents: bool) -> None:
    """Copy RHK with their IKI and the lampiran. A new period's RHK cascade again from the appraiser's new plan,
    so their links are kept only within a revision."""
    target.agency_goal = source.agency_goal
    target.dukungan_sumber_daya = source.dukungan_sumber_daya
    target.skema_pertanggungjawaban = source.skema_pertanggungjawaban
    target.konsekuensi = source.konsekuensi
    for rhk in source.rhk:
        target.rhk.append(Rhk(
            kind=rhk.kind, text=rhk.text, position=rhk.position,
            parent_rhk_id=rhk.parent_rhk_id if keep_parents else None,
            indicators=[Iki(text=iki.text, target_value=iki.target_value, unit=iki.unit, aspect=iki.aspect)
                        for iki in rhk.indicators],
        ))


def revise_skp(actor: User, skp: Skp) -> Skp:
    """Start a new version (a draft) of an approved plan, copying its content; the approved one stays readable
    and in force until the new version is approved."""
    require_owner(actor, skp)
    lock_employee(skp.employee_id)
    db.session.refresh(skp)
    if skp.status is not SkpStatus.APPROVED:
        raise ValidationFailed(_("Hanya SKP yang sudah disetujui yang dapat direvisi."))
    newer = db.session.scalar(select(Skp.id).where(Skp.previous_version_id == skp.id).limit(1))
    if newer is not None:
        raise Conflict(_("SKP ini sudah memiliki versi yang lebih baru."))
    pending = db.session.scalar(
        select(Skp.id).where(Skp.employee_id == skp.employee_id, Skp.status != SkpStatus.APPROVED,
                             Skp.period_start <= skp.period_end, Skp.period_end >= skp.period_start).limit(1)
    )
    if pending is not None:
        raise ValidationFailed(_("Anda sudah memiliki SKP yang belum disetujui untuk periode yang beririsan."))
    assignment = assignment_on(skp.employee_id, skp.period_start)
    revision = Skp(employee_id=skp.employee_id, appraiser_id=assignment.appraiser_id if assignment else None,
                   period_start=skp.period_start, period_end=skp.period_end, version=skp.version + 1,
                   status=SkpStatus.DRAFT, previous_version_id=skp.id)
    revision.behaviours = [BehaviourExpectation(value=item.value, expectation=item.expectation)
                           for item in skp.behaviours]
    copy_content(skp, revision, keep_parents=True)
    db.session.add(revision)
    db.session.flush()
    audit.record(actor, change(revision, "revise", None, SkpStatus.DRAFT.value,
                               reason=_("Revisi dari versi %(n)d", n=skp.version)))
    finish()
    return revision


def save_lampiran(actor: User, skp: Skp, data: LampiranInput) -> None:
    """The lampiran (and, for a top official, the agency goal the plan cascades from)."""
    require_editable(actor, skp)
    skp.dukungan_sumber_daya = (data.dukungan_sumber_daya or "").strip()
    skp.skema_pertanggungjawaban = (data.skema_pertanggungjawaban or "").strip()
    skp.konsekuensi = (data.konsekuensi or "").strip()
    goal = (data.agency_goal or "").strip()
    skp.agency_goal = goal if goal and skp.appraiser_id is None else None
    finish()


# --- RHK and IKI ----------------------------------------------------------------------------------------------


def check_parent(skp: Skp, data: RhkInput) -> int | None:
    """The RHK of the appraiser's approved plan that the new RHK intervenes, checked."""
    if skp.appraiser_id is None:
        if data.parent_rhk_id is not None:
            raise ValidationFailed(_("SKP pimpinan tertinggi diturunkan dari tujuan organisasi, bukan dari RHK "
                                     "atasan."), field="parent_rhk_id")
        return None
    if data.parent_rhk_id is None and data.kind is RhkKind.ADDITIONAL:
        return None
    source = queries.appraiser_skp(skp)
    if source is None:
        raise ValidationFailed(_("Pejabat penilai Anda belum memiliki SKP yang disetujui, sehingga RHK belum "
                                 "dapat diturunkan."), field="parent_rhk_id")
    if data.parent_rhk_id is None:
        raise ValidationFailed(_("Pilih RHK atasan yang diintervensi."), field="parent_rhk_id")
    parent = db.session.get(Rhk, data.parent_rhk_id)
    if parent is None or parent.skp_id != source.id:
        raise ValidationFailed(_("RHK atasan yang dipilih bukan bagian dari SKP pejabat penilai Anda yang "
                                 "disetujui."), field="parent_rhk_id")
    return parent.id


def clean_rhk(skp: Skp, data: RhkInput) -> tuple[RhkKind, str, int | None]:
    try:
        kind = RhkKind(data.kind)
    except ValueError:
        raise ValidationFailed(_("Pilih jenis RHK."), field="kind") from None
    text = clean_text(data.text, "text", _("Rencana hasil kerja wajib diisi."))
    return kind, text, check_parent(skp, RhkInput(kind, text, data.parent_rhk_id))


def add_rhk(actor: User, skp: Skp, data: RhkInput) -> Rhk:
    require_editable(actor, skp)
    kind, text, parent_id = clean_rhk(skp, data)
    rhk = Rhk(kind=kind, text=text, parent_rhk_id=parent_id, position=len(skp.rhk) + 1)
    skp.rhk.append(rhk)
    finish()
    return rhk


def update_rhk(actor: User, rhk: Rhk, data: RhkInput) -> None:
    """Change an RHK's kind, text and the appraiser's RHK it intervenes, under the same cascade rules as adding;
    an RHK that changes kind goes to the end of its new kind's list."""
    skp = rhk.skp
    require_editable(actor, skp)
    kind, text, parent_id = clean_rhk(skp, data)
    if kind is not rhk.kind:
        rhk.position = max((item.position for item in skp.rhk if item.kind is kind), default=0) + 1
    rhk.kind, rhk.text, rhk.parent_rhk_id = kind, text, parent_id
    finish()


def move_rhk(actor: User, rhk: Rhk, step: int) -> None:
    """Move an RHK one place up (step -1) or down (+1) among the plan's RHK of its kind; at either end it stays.
    The kind's RHK are renumbered, as copied and deleted ones leave gaps and ties in the positions."""
    skp = rhk.skp
    require_editable(actor, skp)
    group = [item for item in skp.rhk if item.kind is rhk.kind]
    here = group.index(rhk)
    there = here + step
    if 0 <= there < len(group):
        group[here], group[there] = group[there], group[here]
    for number, item in enumerate(group, start=1):
        item.position = number
    finish()


def delete_rhk(actor: User, rhk: Rhk) -> None:
    """Remove an RHK with its IKI."""
    skp = rhk.skp
    require_editable(actor, skp)
    skp.rhk.remove(rhk)
    finish()


def clean_iki(data: IkiInput) -> IkiInput:
    text = clean_text(data.text, "text", _("Indikator kinerja individu wajib diisi."))
    try:
        target = Decimal(data.target_value).quantize(Decimal("0.01")) if data.target_value is not None else None
    except (InvalidOperation, ValueError, TypeError):
        target = None
    if target is None or target <= 0:
        raise ValidationFailed(_("Target harus berupa angka lebih dari 0."), field="target_value")
    if target >= TARGET_LIMIT:
        raise ValidationFailed(_("Target terlalu besar."), field="target_value")
    unit = " ".join((data.unit or "").split())
    if not unit:
        raise ValidationFailed(_("Satuan target wajib diisi."), field="unit")
    if len(unit) > 40:
        raise ValidationFailed(_("Satuan paling panjang 40 karakter."), field="unit")
    try:
        aspect = IkiAspect(data.aspect)
    except ValueError:
        raise ValidationFailed(_("Pilih aspek indikator."), field="aspect") from None
    return IkiInput(text, target, unit, aspect)


def add_iki(actor: User, rhk: Rhk, data: IkiInput) -> Iki:
    require_editable(actor, rhk.skp)
    clean = clean_iki(data)
    iki = Iki(text=clean.text, target_value=clean.target_value, unit=clean.unit, aspect=clean.aspect)
    rhk.indicators.append(iki)
    finish()
    return iki


def update_iki(actor: User, iki: Iki, data: IkiInput) -> None:
    require_editable(actor, iki.rhk.skp)
    clean = clean_iki(data)
    iki.text, iki.target_value, iki.unit, iki.aspect = clean.text, clean.target_value, clean.unit, clean.aspect
    finish()


def delete_iki(actor: User, iki: Iki) -> None:
    rhk = iki.rhk
    require_editable(actor, rhk.skp)
    rhk.indicators.remove(iki)
    finish()


# --- Workflow -------------------------------------------------------------------------------------------------


def check_complete(skp: Skp) -> None:
    if skp.appraiser_id is None and not (skp.agency_goal or "").strip():
        raise ValidationFailed(_("Isi tujuan/sasaran organisasi yang diturunkan ke SKP ini."), field="agency_goal")
    if not any(rhk.kind is RhkKind.MAIN for rhk in skp.rhk):
        raise ValidationFailed(_("SKP memerlukan paling sedikit satu RHK utama."))
    for rhk in skp.rhk:
        if not rhk.indicators:
            raise ValidationFailed(_("RHK \"%(text)s\" belum memiliki indikator (IKI).", text=rhk.text[:60]))


def submit_skp(actor: User, skp: Skp) -> None:
    """Send a complete draft (or a returned plan) to the appraiser."""
    require_editable(actor, skp)
    check_complete(skp)
    before = skp.status.value
    skp.status, skp.submitted_at, skp.return_reason = SkpStatus.SUBMITTED, clock.utcnow(), None
    audit.record(actor, change(skp, "submit", before, SkpStatus.SUBMITTED.value))
    notify.send(notify.Notice(user_id, "submitted", {"name": actor.display_name, "n": 1},
                              link=f"/skp/periksa/{skp.id}") for user_id in decider_users(skp))
    finish()


def decider_users(skp: Skp) -> list[int]:
    """Accounts of the appraiser and of whoever stands in for them today."""
    if skp.appraiser_id is None:
        return []
    today = today_for(skp.employee_id)
    employees = {skp.appraiser_id} | set(db.session.scalars(
        select(ActingAssignment.acting_id).where(ActingAssignment.absent_id == skp.appraiser_id,
                                                 ActingAssignment.active_on(today))
    ))
    return list(db.session.scalars(select(User.id).where(User.employee_id.in_(employees))))


def require_decider(actor: User, skp: Skp, today: date) -> Decider:
    found = decider(actor, skp, today)
    if found is None:
        raise NotAllowed(_("SKP ini bukan untuk Anda periksa."))
    return found


def decide(actor: User, skp: Skp, values: dict, *, acting_for_id: int | None, action: str, today: date) -> None:
    """Move a submitted plan on, unless someone decided it meanwhile: exactly one decision stands."""
    result = db.session.execute(
        update(Skp).where(Skp.id == skp.id, Skp.status == SkpStatus.SUBMITTED).values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(_("SKP ini sudah diputuskan atau ditarik."))
    audit.record(actor, change(skp, action, SkpStatus.SUBMITTED.value, values["status"].value,
                               values.get("return_reason"), acting_for_id))
    name = signatory.name_of(actor, acting_for_id, today)
    owners = db.session.scalars(select(User.id).where(User.employee_id == skp.employee_id))
    notify.send(notify.Notice(user_id, "approved" if action == "approve" else "returned", {"n": 1, "name": name},
                              link=f"/skp/{skp.id}") for user_id in owners)
    finish()
    db.session.refresh(skp)


def approve_skp(actor: User, skp: Skp, today: date, expectations: dict[BehaviourValue, str] | None = None) -> None:
    """Approve (and so lock) a submitted plan, with the appraiser's ekspektasi khusus per perilaku."""
    found = require_decider(actor, skp, today)
    if skp.status is not SkpStatus.SUBMITTED:
        raise Conflict(_("SKP ini sudah diputuskan atau ditarik."))
    for item in skp.behaviours:
        if expectations is not None and item.value in expectations:
            item.expectation = (expectations[item.value] or "").strip()[:TEXT_LIMIT]
    db.session.flush()
    decide(actor, skp, {"status": SkpStatus.APPROVED, "approved_at": clock.utcnow(), "approved_by": actor.id,
                        "approved_for_id": found.acting_for_id, "return_reason": None},
           acting_for_id=found.acting_for_id, action="approve", today=today)


def return_skp(actor: User, skp: Skp, reason: str, today: date) -> None:
    """Send a submitted plan back to its owner with the reason."""
    found = require_decider(actor, skp, today)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Alasan pengembalian wajib diisi."), field="reason")
    decide(actor, skp, {"status": SkpStatus.RETURNED, "return_reason": reason[:1000]},
           acting_for_id=found.acting_for_id, action="return", today=today)


# --- Activities -----------------------------------------------------------------------------------------------


def check_indicator(employee_id: int, day: date, indicator_id: int | None) -> None:
    """An activity may realise only an IKI of the employee's approved plan in force on its date."""
    if indicator_id is None:
        return
    if indicator_id not in {choice.id for choice in queries.iki_choices(employee_id, day)}:
        raise ValidationFailed(_("Indikator (IKI) yang dipilih bukan bagian dari SKP Anda yang disetujui untuk "
                                 "tanggal tersebut."), field="indicator_id")
