"""Forms of the WFO-cap, essential-service and roster pages."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from kinerja.models import CapReason, WorkMode


class CapForm(FlaskForm):
    """A new WFO cap: a rule's preset percentage (empty percent) or the agency's own with its reason; the service
    checks the rules (percent and text required without a preset, the period)."""

    reason_kind = SelectField(_l("Dasar pembatasan"))
    percent = IntegerField(_l("Batas WFO (%)"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Persentase WFO harus antara 0 dan 100."))])
    valid_from = DateField(_l("Berlaku mulai"), validators=[InputRequired(message=_l("Isi tanggal mulai."))])
    valid_to = DateField(_l("Berlaku sampai"), validators=[Optional()])
    reason = StringField(_l("Keterangan"), validators=[Length(max=500)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reason_kind.choices = [SelectChoice(kind.value, kind.label, render_kw={"data-preset": kind.preset}
                                                 if kind.preset is not None else {}) for kind in CapReason]

    @property
    def kind(self) -> CapReason:
        return CapReason(self.reason_kind.data)


class EndCapForm(FlaskForm):
    last_day = DateField(_l("Hari terakhir"), validators=[InputRequired(message=_l("Isi hari terakhir."))])


class EssentialForm(FlaskForm):
    """Checkboxes of the units (or positions) shown: `shown` lists them, `essential` the ticked ones."""

    shown = SelectMultipleField(coerce=int, validate_choice=False)
    essential = SelectMultipleField(coerce=int, validate_choice=False)


class RosterForm(FlaskForm):
    start_date = DateField(_l("Mulai"), validators=[InputRequired(message=_l("Isi tanggal mulai."))])
    end_date = DateField(_l("Selesai"), validators=[InputRequired(message=_l("Isi tanggal selesai."))])

    def validate_end_date(self, field) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("Tanggal selesai tidak boleh sebelum tanggal mulai."))


class CellForm(FlaskForm):
    """One cell of the grid: the button's value is "employee_id:YYYY-MM-DD:MODE", the mode it switches to. On a
    published roster a change over the WFO cap needs `override` ticked and a reason."""

    cell = StringField(validators=[InputRequired()])
    override = BooleanField(_l("Lampaui batas WFO"))
    override_reason = TextAreaField(_l("Alasan melampaui batas"), validators=[Length(max=500)])

    @property
    def reason(self) -> str | None:
        """The override's reason ("" when ticked without one), or None when not ticked."""
        return (self.override_reason.data or "").strip() if self.override.data else None

    def parsed(self) -> tuple[int, date, WorkMode] | None:
        """(employee id, day, new mode), or None when the value was tampered with."""
        parts = (self.cell.data or "").split(":")
        if len(parts) != 3 or not parts[0].isdigit() or parts[2] not in (WorkMode.WFO.value, WorkMode.WFH.value):
            return None
        try:
            return int(parts[0]), date.fromisoformat(parts[1]), WorkMode(parts[2])
        except ValueError:
            return None

