"""Form of the monthly activity page (kegiatan bulanan)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kinerja.activities.monthly import MonthlyInput


class MonthlyActivityForm(FlaskForm):
    """One monthly activity: the planned action, its unit, an adjustment of the realisation, evidence, note.

    The SKP indicator is not asked yet: SKP does not exist, so indicator_id stays None.
    """

    planned_action = TextAreaField(
        _l("Rencana aksi"),
        validators=[DataRequired(message=_l("Rencana aksi wajib diisi.")), Length(max=2000)],
        render_kw={"rows": 2, "maxlength": 2000},
    )
    unit = StringField(
        _l("Satuan"),
        validators=[DataRequired(message=_l("Satuan output wajib diisi.")), Length(max=40)],
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
        )
