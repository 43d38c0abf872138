"""Form of the monthly activity page (kegiatan bulanan)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kinerja.activities.monthly import MonthlyInput
from kinerja.core.plans import PlanIndicator

NOT_IN_PLAN = _l("Pilih indikator (IKI) dari SKP Anda yang berlaku pada bulan ini.")


def indicator_choices(indicators: list[PlanIndicator], kept: PlanIndicator | None = None) -> list[SelectChoice]:
    """The IKI choices: none, then those of the plan in force grouped by RHK, each with its unit for the page's
    script; an item being changed also keeps the IKI it has when that is no longer in force."""
    choices = [SelectChoice(0, _l("— tanpa indikator —"))]
    choices += [SelectChoice(item.id, item.label, {"data-unit": item.unit}, item.rhk) for item in indicators]
    if kept is not None and all(item.id != kept.id for item in indicators):
        choices.append(SelectChoice(kept.id, _l("%(label)s — tidak lagi dalam SKP yang berlaku", label=kept.label),
                                    {"data-unit": kept.unit}))
    return choices


class MonthlyActivityForm(FlaskForm):
    """One monthly activity: the SKP indicator (IKI) it realises, the planned action, its unit, an adjustment of
    the realisation, evidence, note.

    The view sets the IKI choices: those of the employee's plan in force in the month (indicator_choices); with
    no plan there is only "no indicator" and the page hides the field. With an IKI the unit may be left empty: it
    follows the IKI's (kinerja.activities.monthly.follow_indicator); without one it is required.
    """

    indicator_id = SelectField(
        _l("Indikator SKP (IKI)"), coerce=int, default=0, choices=[SelectChoice(0, _l("— tanpa indikator —"))],
        invalid_choice_message=NOT_IN_PLAN, invalid_value_message=NOT_IN_PLAN,
    )
    planned_action = TextAreaField(
        _l("Rencana aksi"),
        validators=[DataRequired(message=_l("Rencana aksi wajib diisi.")), Length(max=2000)],
        render_kw={"rows": 2, "maxlength": 2000},
    )
    unit = StringField(
        _l("Satuan"), validators=[Optional(), Length(max=40)],
        render_kw={"list": "output-units", "autocomplete": "off", "maxlength": 40},
    )
    adjustment = DecimalField(
        _l("Penyesuaian"), places=2, default=0,
        validators=[Optional(),
                    NumberRange(min=-99_999_999, max=99_999_999, message=_l("Penyesuaian terlalu besar."))],
        render_kw={"inputmode": "decimal", "step": "any"},
    )
    adjustment_reason = StringField(
        _l("Alasan penyesuaian"), validators=[Optional(), Length(max=500)], render_kw={"maxlength": 500}
    )
    evidence_url = StringField(
        _l("Tautan bukti dukung"), validators=[Optional(), Length(max=500)],
        render_kw={"inputmode": "url", "placeholder": "https://", "maxlength": 500},
    )
    note = TextAreaField(_l("Catatan"), validators=[Optional(), Length(max=2000)],
                         render_kw={"rows": 2, "maxlength": 2000})

    def to_input(self) -> MonthlyInput:
        return MonthlyInput(
            planned_action=self.planned_action.data or "",
            unit=self.unit.data or "",
            adjustment=self.adjustment.data,
            adjustment_reason=self.adjustment_reason.data or "",
            evidence_url=self.evidence_url.data or "",
            note=self.note.data or "",
            indicator_id=self.indicator_id.data or None,
        )
