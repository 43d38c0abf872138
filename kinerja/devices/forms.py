"""Forms of the attendance machine pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from kinerja.models.org import TIMEZONES


class DeviceForm(FlaskForm):
    serial_number = StringField(_l("Nomor seri (SN)"), validators=[
        InputRequired(message=_l("Isi nomor seri mesin.")), Length(max=40)])
    name = StringField(_l("Nama mesin"), validators=[InputRequired(message=_l("Isi nama mesin.")), Length(max=100)])
    office_id = SelectField(_l("Kantor"), coerce=int, validate_choice=False)
    timezone = SelectField(_l("Zona waktu jam mesin"), validate_choice=False,
                           choices=[SelectChoice("", _l("Zona OPD")),
                                    *(SelectChoice(name, label) for name, label in TIMEZONES.items())])
    enabled = BooleanField(_l("Aktif (menerima pindaian)"))


class CommandForm(FlaskForm):
    command = StringField(_l("Perintah"), validators=[InputRequired(message=_l("Isi perintah.")), Length(max=200)])


class PinForm(FlaskForm):
    lines = TextAreaField(_l("Baris PIN,NIP"), validators=[InputRequired(message=_l("Isi paling sedikit satu baris."))])


class ActionForm(FlaskForm):
    """CSRF only, for POST buttons."""
