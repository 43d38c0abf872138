"""Forms of the attendance pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import FloatField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, Optional

from kinerja.attendance.services import CheckInput
from kinerja.models import AttendanceKind, WorkMode


class CheckForm(FlaskForm):
    """Check-in or check-out: the mode, the position the page's script fills in, and the selfie."""

    kind = HiddenField(validators=[AnyOf([kind.value for kind in AttendanceKind])])
    mode = SelectField(_l("Mode kerja"), default=WorkMode.WFO.value)
    assignment_letter = StringField(_l("Nomor surat tugas"), validators=[Optional(), Length(max=80)])
    latitude = FloatField(validators=[Optional()], widget=HiddenField.widget)
    longitude = FloatField(validators=[Optional()], widget=HiddenField.widget)
    accuracy = FloatField(validators=[Optional()], widget=HiddenField.widget)
    device_id = HiddenField(validators=[Optional(), Length(max=64)])
    selfie = FileField(_l("Swafoto"), render_kw={"accept": "image/*", "capture": "user"})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mode.choices = [SelectChoice(mode.value, mode.label) for mode in WorkMode]

    def to_input(self, user_agent: str) -> CheckInput:
        return CheckInput(
            kind=AttendanceKind(self.kind.data), mode=WorkMode(self.mode.data),
            latitude=self.latitude.data, longitude=self.longitude.data, accuracy_m=self.accuracy.data,
            selfie=self.selfie.data, assignment_letter=self.assignment_letter.data,
            device_id=self.device_id.data or "", user_agent=user_agent,
        )


class DecisionForm(FlaskForm):
    """A reviewer's decision on a flag: clear or confirm, with a note (required to confirm)."""

    decision = HiddenField(validators=[AnyOf(["clear", "confirm"])])
    note = TextAreaField(_l("Catatan"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2})
