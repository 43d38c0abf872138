"""The TPP rules as BKD keeps them: one rule set per period of whole months, checked before it is stored.

`rule_set_for(first)` finds the rules of a month; `engine_rules` turns them into the engine's plain form;
`ceilings_of` gives each kelas jabatan's and position's monthly ceiling (the sum of its criteria);
`save_rule_set` checks a whole rule set (brackets without gaps or overlaps, percentages within 0–100%,
ceilings above zero, shares adding up to 100%, a period that overlaps no other) and stores it, audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kinerja import audit
from kinerja.database import finish
from kinerja.errors import NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.identity import EmploymentType
from kinerja.models import (
    Agency,
    Assignment,
    BracketKind,
    Criterion,
    DeductionBase,
    LeaveKind,
    Position,
    Predikat,
    ThirdMeasure,
    TppBracket,
    TppCeiling,
    TppLeaveRule,
    TppPeriod,
    TppPredikatRate,
    TppRuleSet,
    Unit,
    User,
)
from kinerja.permissions import is_global_admin
from kinerja.tpp.engine import FULL, Bracket, LeaveRule, Rules
from kinerja.workcalendar import month_days

CLASSES = range(17, 0, -1)


def rule_set_for(first: date) -> TppRuleSet | None:
    """The rules in force in the month that starts on `first`, with their tables."""
    return db.session.scalar(
        select(TppRuleSet)
        .where(TppRuleSet.valid_from <= first, (TppRuleSet.valid_to.is_(None)) | (TppRuleSet.valid_to >= first))
        .options(selectinload(TppRuleSet.ceilings), selectinload(TppRuleSet.brackets),
                 selectinload(TppRuleSet.predikat_rates), selectinload(TppRuleSet.leave_rules)))


def engine_rules(rule_set: TppRuleSet) -> Rules:
    def brackets(kind: BracketKind) -> tuple[Bracket, ...]:
        return tuple(Bracket(row.low, row.high, row.rate) for row in rule_set.brackets if row.kind is kind)

    return Rules(
        kinerja_share=rule_set.kinerja_share, discipline_share=rule_set.discipline_share,
        third_share=rule_set.third_share, third_name=rule_set.third_name, minutes_weight=rule_set.minutes_weight,
        predikat_rates={row.predikat.value: row.rate for row in rule_set.predikat_rates},
        unrated=rule_set.unrated, deduction_base=rule_set.deduction_base,
        late=brackets(BracketKind.LATE), early=brackets(BracketKind.EARLY),
        no_check_in=rule_set.no_check_in, no_check_out=rule_set.no_check_out, absent=rule_set.absent,
        missed_session=rule_set.missed_session,
        leave={row.leave_kind.value: LeaveRule(row.counts_present, row.needs_document, row.pay_factor)
               for row in rule_set.leave_rules},
        type_factors={EmploymentType.PNS.value: rule_set.factor_pns, EmploymentType.CPNS.value: rule_set.factor_cpns,
                      EmploymentType.PPPK.value: rule_set.factor_pppk,
                      EmploymentType.NON_ASN.value: rule_set.factor_non_asn},
        third_measure=rule_set.third_measure.value, third_missing=rule_set.third_missing,
    )


def ceilings_of(rule_set: TppRuleSet) -> tuple[dict[int, int], dict[int, int]]:
    """(ceiling by kelas jabatan, ceiling by position): a position's own ceiling wins over its class's."""
    by_class: dict[int, int] = {}
    by_position: dict[int, int] = {}
    for row in rule_set.ceilings:
        if row.position_id is not None:
            by_position[row.position_id] = by_position.get(row.position_id, 0) + row.amount
        elif row.class_grade is not None:
            by_class[row.class_grade] = by_class.get(row.class_grade, 0) + row.amount
    return by_class, by_position


def scores_third(rule_set: TppRuleSet | None) -> bool:
    """Whether the rules pay a third share measured by each agency's score of the month."""
    return rule_set is not None and bool(rule_set.third_share) and \
        rule_set.third_measure is ThirdMeasure.AGENCY_SCORE


# --- Percentages as people type them ------------------------------------------------------------------------


def parse_percent(text: str | None, field_name: str, *, maximum: int = FULL) -> int:
    """'0,5' or '0.5' or '60' (percent) → basis points; refuses what is not a number within 0–maximum."""
    cleaned = (text or "").strip().replace("%", "").replace(",", ".")
    if not cleaned:
        return 0
    try:
        value = Decimal(cleaned) if len(cleaned) <= 12 else Decimal("NaN")
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise ValidationFailed(_("Isi persentase dengan angka, misalnya 0,5 atau 60."), field=field_name)
    points = value * 100
    if points != points.to_integral_value():
        raise ValidationFailed(_("Persentase paling banyak dua angka di belakang koma."), field=field_name)
    if not 0 <= points <= maximum:
        raise ValidationFailed(_("Persentase harus antara 0 dan %(max)s%%.", max=format_percent(maximum)),
                               field=field_name)
    return int(points)


def grouped(number: int) -> str:
    """Whole numbers grouped the Indonesian way, as money is written: 1234567 → '1.234.567'."""
    return f"{number:,}".replace(",", ".")


def format_percent(points: int | None) -> str:
    """Basis points in Indonesian form: 50 → '0,5', 12500 → '125', 6000 → '60'."""
    if points is None:
        return ""
    whole, rest = divmod(abs(points), 100)
    text = grouped(whole)
    if rest:
        text += "," + f"{rest:02d}".rstrip("0")
    return ("-" if points < 0 else "") + text


# --- Storing a rule set -----------------------------------------------------------------------------------------


@dataclass
class RuleSetInput:
    """A whole rule set as the form (or a command) gives it, percentages already in basis points."""

    valid_from: date
    valid_to: date | None
    reference: str
    kinerja_share: int
    discipline_share: int
    third_share: int = 0
    third_name: str = ""
    minutes_weight: int = FULL
    unrated: int = 0
    deduction_base: DeductionBase = DeductionBase.DISCIPLINE
    no_check_in: int = 0
    no_check_out: int = 0
    absent: int = 0
    factors: dict[EmploymentType, int] = field(default_factory=dict)
    # (class or None, position id or None, criterion) → amount
    ceilings: dict[tuple[int | None, int | None, Criterion], int] = field(default_factory=dict)
    brackets: dict[BracketKind, list[tuple[int, int | None, int]]] = field(default_factory=dict)
    predikat_rates: dict[Predikat, int] = field(default_factory=dict)
    leave_rules: dict[LeaveKind, tuple[bool, bool, int]] = field(default_factory=dict)
    third_measure: ThirdMeasure = ThirdMeasure.FULL
    third_missing: int = 0  # what is paid of the third share while an agency's score is missing (basis points)
    missed_session: int = 0


def check_brackets(kind: BracketKind, rows: list[tuple[int, int | None, int]]) -> None:
    """From 1 minute up, each bracket starting the minute after the last one ended, the last one open or closed."""
    name = f"{kind.value}_brackets"
    expected = 1
    for index, (low, high, rate) in enumerate(rows):
        if high is not None and high < low:
            raise ValidationFailed(_("%(kind)s: batas atas %(high)s menit lebih kecil dari batas bawah %(low)s menit.",
                                     kind=kind.label, high=high, low=low), field=name)
        if low != expected:
            if low > expected:
                message = _("%(kind)s: ada celah, menit %(from)s–%(to)s tidak masuk rentang mana pun.",
                            kind=kind.label, **{"from": expected, "to": low - 1})
            else:
                message = _("%(kind)s: rentang mulai menit %(low)s bertumpuk dengan rentang sebelumnya.",
                            kind=kind.label, low=low)
            raise ValidationFailed(message, field=name)
        if high is None and index != len(rows) - 1:
            raise ValidationFailed(_("%(kind)s: hanya rentang terakhir yang boleh tanpa batas atas.", kind=kind.label),
                                   field=name)
        if not 0 <= rate <= FULL:
            raise ValidationFailed(_("Persentase harus antara 0 dan %(max)s%%.", max="100"), field=name)
        expected = (high or 0) + 1


def check(data: RuleSetInput, others: list[TppRuleSet]) -> None:
    if data.valid_from.day != 1:
        raise ValidationFailed(_("Aturan berlaku mulai tanggal 1 suatu bulan."), field="valid_from")
    if data.valid_to is not None:
        if data.valid_to != month_days(data.valid_to.year, data.valid_to.month)[1]:
            raise ValidationFailed(_("Aturan berakhir pada akhir suatu bulan."), field="valid_to")
        if data.valid_to < data.valid_from:
            raise ValidationFailed(_("Akhir masa berlaku harus sesudah awalnya."), field="valid_to")
    if not data.reference.strip():
        raise ValidationFailed(_("Sebutkan dasar hukumnya (nomor Perbup/Perwal)."), field="reference")
    for name in ("kinerja_share", "discipline_share", "third_share", "minutes_weight", "unrated", "no_check_in",
                 "no_check_out", "absent", "missed_session"):
        if not 0 <= getattr(data, name) <= FULL:
            raise ValidationFailed(_("Persentase harus antara 0 dan %(max)s%%.", max="100"), field=name)
    total = data.kinerja_share + data.discipline_share + data.third_share
    if total != FULL:
        raise ValidationFailed(_("Bagian kinerja, disiplin dan bagian ketiga harus berjumlah 100%% (sekarang "
                                 "%(total)s%%).", total=format_percent(total)), field="discipline_share")
    if data.third_share and not data.third_name.strip():
        raise ValidationFailed(_("Beri nama bagian ketiga."), field="third_name")
    for kind, value in data.factors.items():
        if not 0 <= value <= FULL:
            raise ValidationFailed(_("Persentase harus antara 0 dan %(max)s%%.", max="100"),
                                   field=f"factor_{kind.value.lower()}")
    if not data.ceilings:
        raise ValidationFailed(_("Isi pagu TPP setidaknya untuk satu kelas jabatan."), field="ceilings")
    for (grade, _position, _criterion), amount in data.ceilings.items():
        if amount <= 0:
            raise ValidationFailed(_("Pagu harus lebih dari nol (kelas %(grade)s).", grade=grade or "-"),
                                   field="ceilings")
        if amount > 1_000_000_000:
            raise ValidationFailed(_("Pagu terlalu besar (kelas %(grade)s).", grade=grade or "-"), field="ceilings")
    for kind in BracketKind:
        check_brackets(kind, data.brackets.get(kind, []))
    for rate in data.predikat_rates.values():
        if not 0 <= rate <= FULL:
            raise ValidationFailed(_("Persentase harus antara 0 dan %(max)s%%.", max="100"), field="predikat")
    for kind, (_present, _document, factor) in data.leave_rules.items():
        if not 0 <= factor <= FULL:
            raise ValidationFailed(_("Persentase harus antara 0 dan %(max)s%%.", max="100"),
                                   field=f"leave_{kind.value}")
    if not 0 <= data.third_missing <= FULL:
        raise ValidationFailed(_("Persentase harus antara 0 dan %(max)s%%.", max="100"), field="third_missing")
    end = data.valid_to or date.max
    for other in others:
        if other.valid_from <= end and (other.valid_to is None or other.valid_to >= data.valid_from):
            raise ValidationFailed(_("Masa berlaku bertumpuk dengan aturan %(reference)s (%(period)s).",
                                     reference=other.reference, period=period_label(other)), field="valid_from")


def period_label(rule_set: TppRuleSet) -> str:
    start = format_date(rule_set.valid_from, "MMMM y")
    if rule_set.valid_to is None:
        return _("mulai %(start)s", start=start)
    return f"{start} – {format_date(rule_set.valid_to, 'MMMM y')}"


def fill(rule_set: TppRuleSet, data: RuleSetInput) -> None:
    for name in ("valid_from", "valid_to", "kinerja_share", "discipline_share", "third_share", "minutes_weight",
                 "unrated", "deduction_base", "no_check_in", "no_check_out", "absent", "missed_session"):
        setattr(rule_set, name, getattr(data, name))
    rule_set.reference = data.reference.strip()
    rule_set.third_name = data.third_name.strip() if data.third_share else ""
    for kind in EmploymentType:
        setattr(rule_set, f"factor_{kind.value.lower()}", data.factors.get(kind, FULL if kind.is_asn else 0))
    rule_set.ceilings = [TppCeiling(class_grade=grade, position_id=position, criterion=criterion, amount=amount)
                         for (grade, position, criterion), amount in sorted(
                             data.ceilings.items(), key=lambda item: (-(item[0][0] or 0), item[0][1] or 0,
                                                                      item[0][2].value))]
    rule_set.brackets = [TppBracket(kind=kind, low=low, high=high, rate=rate)
                         for kind, rows in data.brackets.items() for low, high, rate in rows]
    rule_set.predikat_rates = [TppPredikatRate(predikat=predikat, rate=rate)
                               for predikat, rate in data.predikat_rates.items()]
    rule_set.leave_rules = [TppLeaveRule(leave_kind=kind, counts_present=present, needs_document=document,
                                         pay_factor=factor)
                            for kind, (present, document, factor) in data.leave_rules.items()]
    rule_set.third_measure = data.third_measure if data.third_share else ThirdMeasure.FULL
    rule_set.third_missing = data.third_missing if rule_set.third_measure is ThirdMeasure.AGENCY_SCORE else 0


def save_rule_set(actor: User, data: RuleSetInput, rule_set: TppRuleSet | None = None,
                  reason: str = "") -> TppRuleSet:
    """Store a new rule set, or replace an existing one's content; audited with what changed and why."""
    if not is_global_admin(actor):
        raise NotAllowed(_("Hanya admin BKD yang dapat mengubah aturan TPP."))
    others = list(db.session.scalars(select(TppRuleSet).where(TppRuleSet.id != (rule_set.id if rule_set else 0))))
    check_position_ceilings(data)
    check(data, others)
    created = rule_set is None
    if rule_set is None:
        rule_set = TppRuleSet()
        db.session.add(rule_set)
        before: dict[str, str] = {}
    else:
        if used_by_locked_month(rule_set):
            raise ValidationFailed(_("Aturan ini sudah dipakai bulan yang dikunci; buat aturan baru untuk bulan "
                                     "berikutnya, atau buka kunci bulan itu dahulu."), field="valid_from")
        before = flatten(rule_set)
        # Replace the tables: old rows go first, so the unique keys never meet their replacements.
        rule_set.ceilings, rule_set.brackets, rule_set.predikat_rates, rule_set.leave_rules = [], [], [], []
        db.session.flush()
    fill(rule_set, data)
    db.session.flush()
    after = flatten(rule_set)
    changes = [f"{key}: {before.get(key, '-')} → {after.get(key, '-')}"
               for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)]
    text = "; ".join(([reason.strip()] if reason.strip() else []) + changes)
    audit.record(actor, audit.Change("tpp_rule_set", rule_set.id, "create" if created else "update", reason=text))
    finish()
    return rule_set


def used_by_locked_month(rule_set: TppRuleSet) -> bool:
    return db.session.scalar(select(TppPeriod.id).where(TppPeriod.rule_set_id == rule_set.id).limit(1)) is not None


def flatten(rule_set: TppRuleSet) -> dict[str, str]:
    """Every rule as 'name → value', to audit exactly what an edit changed."""
    values = {name: str(getattr(rule_set, name)) for name in (
        "reference", "valid_from", "valid_to", "kinerja_share", "discipline_share", "third_share", "third_name",
        "minutes_weight", "unrated", "deduction_base", "no_check_in", "no_check_out", "absent", "factor_pns",
        "factor_cpns", "factor_pppk", "factor_non_asn", "third_measure", "third_missing", "missed_session")}
    names = position_names({row.position_id for row in rule_set.ceilings if row.position_id is not None})
    for row in rule_set.ceilings:
        owner = f"kelas {row.class_grade}" if row.class_grade is not None else \
            f"jabatan {names.get(row.position_id, row.position_id)}"
        values[f"pagu {owner} {row.criterion}"] = str(row.amount)
    for row in rule_set.brackets:
        values[f"{row.kind} {row.low}-{row.high if row.high is not None else ''}"] = str(row.rate)
    for row in rule_set.predikat_rates:
        values[f"predikat {row.predikat}"] = str(row.rate)
    for row in rule_set.leave_rules:
        values[f"{row.leave_kind}"] = f"{row.counts_present}/{row.needs_document}/{row.pay_factor}"
    return values


# --- Ceilings of single positions -----------------------------------------------------------------------------


def position_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(Position.id, Position.name).where(Position.id.in_(ids))).all())


def check_position_ceilings(data: RuleSetInput) -> None:
    """A position's own ceiling: a position of the regency's catalogue, above zero, within reason."""
    rows = [(position, criterion, amount) for (_grade, position, criterion), amount in data.ceilings.items()
            if position is not None]
    names = position_names({position for position, _criterion, _amount in rows})
    for position, criterion, amount in rows:
        name = names.get(position)
        if name is None:
            raise ValidationFailed(_("Jabatan yang dipilih tidak ada dalam daftar jabatan daerah ini."),
                                   field="position_ceilings")
        if amount <= 0:
            raise ValidationFailed(_("Pagu jabatan %(name)s (%(criterion)s) harus lebih dari nol.", name=name,
                                     criterion=criterion.label), field="position_ceilings")
        if amount > 1_000_000_000:
            raise ValidationFailed(_("Pagu jabatan %(name)s (%(criterion)s) terlalu besar.", name=name,
                                     criterion=criterion.label), field="position_ceilings")


def position_choices(today: date) -> list[tuple[int, str]]:
    """Every position of the catalogue as 'name (kelas n) · unit, agency' of those holding it today, by name."""
    places: dict[int, list[str]] = {}
    for position_id, unit, agency in db.session.execute(
        select(Assignment.position_id, Unit.name, Agency.short_name).distinct()
        .join(Unit, Unit.id == Assignment.unit_id).join(Agency, Agency.id == Assignment.agency_id)
        .where(Assignment.active_on(today)).order_by(Agency.short_name, Unit.name)
    ):
        places.setdefault(position_id, []).append(f"{unit}, {agency}")
    choices = []
    for position_id, name, grade in db.session.execute(
            select(Position.id, Position.name, Position.class_grade).order_by(Position.name)):
        held = places.get(position_id, [])
        where = "; ".join(held[:2]) + (_(" dan %(n)s lainnya", n=len(held) - 2) if len(held) > 2 else "")
        label = _("%(name)s (kelas %(grade)s)", name=name, grade=grade)
        choices.append((position_id, f"{label} · {where or _('belum ada pemangku')}"))
    return choices
