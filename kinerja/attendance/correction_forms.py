"""Forms of attendance corrections: the employee's request and the decider's answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from kinerja.models import CorrectionKind


class CorrectionForm(FlaskForm):
    day = DateField(_l("Tanggal"), validators=[InputRequired(message=_l("Isi tanggalnya."))])
    kind = SelectField(_l("Jenis koreksi"),
                       choices=[SelectChoice(kind.value, kind.label) for kind in CorrectionKind])
    check_in = TimeField(_l("Jam masuk sebenarnya"), validators=[Optional()])
    check_out = TimeField(_l("Jam pulang sebenarnya"), validators=[Optional()])
    reason = TextAreaField(_l("Alasan"), validators=[DataRequired(message=_l("Tuliskan alasannya.")),
                                                     Length(max=1000)], render_kw={"rows": 2, "maxlength": 1000})
    evidence = StringField(_l("Bukti: nomor surat tugas atau tautan"), validators=[Length(max=500)],
                           render_kw={"maxlength": 500})


class DecisionForm(FlaskForm):
    reason = StringField(_l("Alasan"), validators=[Length(max=500)])
