"""Forms of the TPP pages: a whole rule set, a disciplinary penalty, locking and reopening a month.

The rule set form has a field per kelas jabatan and criterion and per bracket row; `rule_set_input` turns what
was typed (percentages as '0,5', amounts as '5.000.000') into the service's `RuleSetInput`, naming the field of
the first mistake.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from kinerja.errors import ValidationFailed
from kinerja.identity import EmploymentType
from kinerja.models import BracketKind, Criterion, DeductionBase, LeaveKind, Predikat, ThirdMeasure, TppRuleSet
from kinerja.tpp.rules import CLASSES, RuleSetInput, format_percent, grouped, parse_percent
from kinerja.workcalendar import month_days

BRACKET_ROWS = 6
PERCENT_FIELDS = ("kinerja_share", "discipline_share", "third_share", "minutes_weight", "unrated", "no_check_in",
                  "no_check_out", "absent", "missed_session")


def percent_field(label) -> StringField:
    return StringField(label, validators=[Length(max=8)], render_kw={"inputmode": "decimal", "maxlength": 8})


class RuleSetForm(FlaskForm):
    valid_from = StringField(_l("Berlaku mulai bulan"), validators=[DataRequired(message=_l("Isi bulan mulai."))],
                             render_kw={"type": "month"})
    valid_to = StringField(_l("Berlaku sampai bulan"), render_kw={"type": "month"})
    reference = StringField(_l("Dasar hukum (Perbup/Perwal)"), validators=[
        DataRequired(message=_l("Sebutkan dasar hukumnya (nomor Perbup/Perwal).")), Length(max=150)])
    kinerja_share = percent_field(_l("Bagian kinerja (%)"))
    discipline_share = percent_field(_l("Bagian disiplin (%)"))
    third_share = percent_field(_l("Bagian ketiga (%)"))
    third_name = StringField(_l("Nama bagian ketiga"), validators=[Length(max=80)])
    minutes_weight = percent_field(_l("Bobot capaian menit dalam capaian kinerja (%)"))
    unrated = percent_field(_l("Capaian bila tidak ada target atau predikat (%)"))
    deduction_base = SelectField(_l("Persentase potongan dihitung dari"),
                                 choices=[SelectChoice(item.value, item.label) for item in DeductionBase])
    no_check_in = percent_field(_l("Tidak presensi masuk, per hari (%)"))
    no_check_out = percent_field(_l("Tidak presensi pulang, per hari (%)"))
    absent = percent_field(_l("Tidak masuk tanpa keterangan, per hari (%)"))
    missed_session = percent_field(_l("Tidak mengikuti sesi presensi wajib (apel/istirahat), per kali (%)"))
    reason = StringField(_l("Alasan perubahan"), validators=[Length(max=300)])
    third_measure = SelectField(_l("Bagian ketiga diukur dengan"), default=ThirdMeasure.FULL.value,
                                choices=[SelectChoice(item.value, item.label) for item in ThirdMeasure])
    third_missing = percent_field(_l("Dibayar bila nilai OPD belum diisi (%)"))


def _month(text: str, field: str, *, end: bool = False) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        first = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValidationFailed(_("Isi bulan dengan format TTTT-BB, misalnya 2027-01."), field=field) from None
    return month_days(first.year, first.month)[1] if end else first


def _amount(text: str, field: str) -> int | None:
    cleaned = (text or "").strip().replace("Rp", "").replace(".", "").replace(" ", "")
    if not cleaned:
        return None
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 12:
        raise ValidationFailed(_("Isi pagu dengan rupiah utuh, misalnya 5.000.000."), field=field)
    return int(cleaned)


def _minutes(text: str, field: str) -> int | None:
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 4:
        raise ValidationFailed(_("Isi menit dengan bilangan bulat."), field=field)
    return int(cleaned)


def rule_set_input(form: RuleSetForm, values) -> RuleSetInput:
    """The rule set as typed; `values` is the submitted form data (for the grid fields the form does not declare)."""
    valid_from = _month(form.valid_from.data, "valid_from")
    if valid_from is None:
        raise ValidationFailed(_("Isi bulan mulai."), field="valid_from")
    percents = {name: parse_percent(getattr(form, name).data, name) for name in PERCENT_FIELDS}
    data = RuleSetInput(valid_from=valid_from, valid_to=_month(form.valid_to.data, "valid_to", end=True),
                        reference=form.reference.data or "", third_name=form.third_name.data or "",
                        deduction_base=DeductionBase(form.deduction_base.data), **percents)
    for kind in EmploymentType:
        name = f"factor_{kind.value.lower()}"
        data.factors[kind] = parse_percent(values.get(name, ""), name)
    for grade in CLASSES:
        for criterion in Criterion:
            name = f"ceiling_{grade}_{criterion.value}"
            amount = _amount(values.get(name, ""), name)
            if amount is not None:
                data.ceilings[(grade, None, criterion)] = amount
    for kind in BracketKind:
        rows = []
        for index in range(BRACKET_ROWS):
            prefix = f"{kind.value}_{index}"
            low = _minutes(values.get(f"{prefix}_low", ""), f"{kind.value}_brackets")
            high = _minutes(values.get(f"{prefix}_high", ""), f"{kind.value}_brackets")
            rate_text = values.get(f"{prefix}_rate", "")
            if low is None and high is None and not rate_text.strip():
                continue
            if low is None:
                raise ValidationFailed(_("%(kind)s: isi menit awal setiap rentang.", kind=kind.label),
                                       field=f"{kind.value}_brackets")
            rows.append((low, high, parse_percent(rate_text, f"{kind.value}_brackets")))
        data.brackets[kind] = sorted(rows, key=lambda row: row[0])
    for predikat in Predikat:
        name = f"predikat_{predikat.value}"
        data.predikat_rates[predikat] = parse_percent(values.get(name, ""), name)
    for kind in LeaveKind:
        name = f"leave_{kind.value}"
        data.leave_rules[kind] = (values.get(f"{name}_present") == "y", values.get(f"{name}_document") == "y",
                                  parse_percent(values.get(f"{name}_pay", "100"), name))
    position_ceilings(values, data)
    data.third_measure = ThirdMeasure(form.third_measure.data)
    data.third_missing = parse_percent(form.third_missing.data, "third_missing")
    return data


def grid_values(rule_set: TppRuleSet | None) -> dict[str, str]:
    """What the grid fields show for a rule set (as typed: '0,5', '5.000.000')."""
    if rule_set is None:
        return {f"factor_{kind.value.lower()}": "100" if kind.is_asn else "0" for kind in EmploymentType} | {
            f"leave_{kind.value}_pay": "100" for kind in LeaveKind}
    values: dict[str, str] = {}
    for kind in EmploymentType:
        values[f"factor_{kind.value.lower()}"] = format_percent(getattr(rule_set, f"factor_{kind.value.lower()}"))
    for row in rule_set.ceilings:
        if row.class_grade is not None:
            values[f"ceiling_{row.class_grade}_{row.criterion.value}"] = grouped(row.amount)
    for kind in BracketKind:
        rows = [row for row in rule_set.brackets if row.kind is kind]
        for index, row in enumerate(sorted(rows, key=lambda item: item.low)):
            values[f"{kind.value}_{index}_low"] = str(row.low)
            values[f"{kind.value}_{index}_high"] = "" if row.high is None else str(row.high)
            values[f"{kind.value}_{index}_rate"] = format_percent(row.rate)
    for row in rule_set.predikat_rates:
        values[f"predikat_{row.predikat.value}"] = format_percent(row.rate)
    for row in rule_set.leave_rules:
        name = f"leave_{row.leave_kind.value}"
        values[f"{name}_present"] = "y" if row.counts_present else ""
        values[f"{name}_document"] = "y" if row.needs_document else ""
        values[f"{name}_pay"] = format_percent(row.pay_factor)
    positions = sorted((row for row in rule_set.ceilings if row.position_id is not None),
                       key=lambda row: (row.position_id, row.criterion.value))
    for index, row in enumerate(positions):
        values |= {f"position_{index}_id": str(row.position_id), f"position_{index}_criterion": row.criterion.value,
                   f"position_{index}_amount": grouped(row.amount)}
    return values


def fill_form(form: RuleSetForm, rule_set: TppRuleSet, *, next_period: bool = False) -> None:
    """Show a rule set in the form; `next_period` proposes a copy starting after it (or next January)."""
    for name in PERCENT_FIELDS:
        getattr(form, name).data = format_percent(getattr(rule_set, name))
    form.third_name.data = rule_set.third_name
    form.deduction_base.data = rule_set.deduction_base.value
    form.reference.data = rule_set.reference
    if next_period:
        form.valid_from.data = f"{rule_set.valid_from.year + 1}-01"
        form.valid_to.data = ""
    else:
        form.valid_from.data = f"{rule_set.valid_from:%Y-%m}"
        form.valid_to.data = f"{rule_set.valid_to:%Y-%m}" if rule_set.valid_to else ""
    form.third_measure.data = rule_set.third_measure.value
    form.third_missing.data = format_percent(rule_set.third_missing)


POSITION_ROW = re.compile(r"^position_(\d{1,3})_(id|criterion|amount)$")
BLANK_POSITION_ROWS = 3


def position_rows(values) -> int:
    """How many rows of position ceilings the form shows: those filled in or stored, and a few blank ones."""
    filled = [int(match.group(1)) for key in values if (match := POSITION_ROW.match(key))]
    return (max(filled) + 1 if filled else 0) + BLANK_POSITION_ROWS


def position_ceilings(values, data: RuleSetInput) -> None:
    """The rows of position ceilings (position, criterion, amount) into `data`; a row with no amount is left out."""
    seen: dict[tuple[int, Criterion], int] = {}
    for index in range(position_rows(values)):
        prefix = f"position_{index}"
        chosen = (values.get(f"{prefix}_id") or "").strip()
        amount = _amount(values.get(f"{prefix}_amount", ""), "position_ceilings")
        if amount is None:
            continue
        if not chosen:
            raise ValidationFailed(_("Baris %(n)s: pilih jabatannya.", n=index + 1), field="position_ceilings")
        criterion = values.get(f"{prefix}_criterion") or Criterion.WORKLOAD.value
        if not (chosen.isascii() and chosen.isdigit() and len(chosen) <= 9) or \
                criterion not in {item.value for item in Criterion}:
            raise ValidationFailed(_("Baris %(n)s: pilih jabatan dan kriteria dari daftar.", n=index + 1),
                                   field="position_ceilings")
        key = (int(chosen), Criterion(criterion))
        if key in seen:
            raise ValidationFailed(_("Baris %(n)s: jabatan dan kriteria ini sudah diisi di baris %(m)s.",
                                     n=index + 1, m=seen[key] + 1), field="position_ceilings")
        seen[key] = index
        data.ceilings[(None, key[0], key[1])] = amount


class PenaltyForm(FlaskForm):
    employee_id_number = StringField(_l("NIP pegawai"), validators=[
        DataRequired(message=_l("Isi NIP pegawai.")), Length(max=20)])
    decree_number = StringField(_l("Nomor SK hukuman disiplin"), validators=[
        DataRequired(message=_l("Isi nomor SK.")), Length(max=80)])
    first_month = StringField(_l("Bulan pertama pemotongan"), validators=[
        DataRequired(message=_l("Isi bulan pertama."))], render_kw={"type": "month"})
    months = SelectField(_l("Lama pemotongan"), default="6", choices=[
        SelectChoice("6", _l("6 bulan")), SelectChoice("9", _l("9 bulan")), SelectChoice("12", _l("12 bulan"))])
    rate = IntegerField(_l("Pemotongan (%)"), default=25, validators=[
        InputRequired(message=_l("Isi persentase pemotongan.")),
        NumberRange(min=1, max=100, message=_l("Persentase harus antara 1 dan 100."))])
    note = StringField(_l("Keterangan"), validators=[Optional(), Length(max=500)])


class LockForm(FlaskForm):
    reason = StringField(_l("Alasan"), validators=[Length(max=300)])


class ReopenForm(FlaskForm):
    reason = StringField(_l("Alasan membuka kembali"), validators=[
        DataRequired(message=_l("Sebutkan alasan membuka kembali.")), Length(max=300)])


def agency_score_entries(values, agency_ids: list[int]) -> dict[int, tuple[int | None, str]]:
    """The month's scores as typed ('85', '72,5'; empty clears), agency id → (basis points or None, note). An
    agency whose fields were not sent (its month locked: the fields are disabled) is left out."""
    entries: dict[int, tuple[int | None, str]] = {}
    for agency_id in agency_ids:
        text = values.get(f"score_{agency_id}")
        if text is None:
            continue
        note = values.get(f"note_{agency_id}", "")
        if len(note) > 300:
            raise ValidationFailed(_("Keterangan paling banyak 300 huruf."), field=f"score_{agency_id}")
        entries[agency_id] = (parse_percent(text, f"score_{agency_id}") if text.strip() else None, note)
    return entries
