"""The form of a check-in session (BKD)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TimeField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from kinerja.attendance.sessions import SessionInput, weekday_name
from kinerja.models import SESSION_KINDS, AttendanceKind, AttendanceSession


class SessionForm(FlaskForm):
    kind = SelectField(_l("Sesi"))
    opens = TimeField(_l("Dibuka pukul"), validators=[InputRequired(message=_l("Isi jam buka."))])
    closes = TimeField(_l("Ditutup pukul"), validators=[InputRequired(message=_l("Isi jam tutup."))])
    weekdays = SelectMultipleField(_l("Hari"), widget=widgets.ListWidget(prefix_label=False),
                                   option_widget=widgets.CheckboxInput(), validate_choice=False)
    wfo = BooleanField(_l("Wajib bagi yang bekerja di kantor (WFO)"))
    wfh = BooleanField(_l("Wajib bagi yang bekerja dari rumah (WFH)"))
    dl = BooleanField(_l("Wajib bagi yang dinas luar (DL)"))
    valid_from = DateField(_l("Berlaku mulai"), validators=[InputRequired(message=_l("Isi tanggal mulai."))])
    valid_to = DateField(_l("Berlaku sampai (kosongkan bila belum ditentukan)"), validators=[Optional()])
    reason = StringField(_l("Alasan perubahan"), validators=[Length(max=300)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(kind.value, kind.label) for kind in SESSION_KINDS]
        self.weekdays.choices = [(str(number), weekday_name(number)) for number in range(1, 8)]

    def fill(self, session: AttendanceSession) -> None:
        self.kind.data = session.kind.value
        self.opens.data, self.closes.data = session.opens, session.closes
        self.weekdays.data = list(session.weekdays)
        self.wfo.data, self.wfh.data, self.dl.data = session.wfo, session.wfh, session.dl
        self.valid_from.data, self.valid_to.data = session.valid_from, session.valid_to

    def to_input(self) -> SessionInput:
        kinds = {kind.value: kind for kind in SESSION_KINDS}
        weekdays = "".join(sorted({day for day in self.weekdays.data or [] if day in "1234567" and len(day) == 1}))
        return SessionInput(kind=kinds.get(self.kind.data, AttendanceKind.IN), opens=self.opens.data,
                            closes=self.closes.data, weekdays=weekdays, wfo=bool(self.wfo.data),
                            wfh=bool(self.wfh.data), dl=bool(self.dl.data), valid_from=self.valid_from.data,
                            valid_to=self.valid_to.data)
