"""Forms of BKD's settings pages: the regency settings (built from kinerja.settings.SETTINGS), the regency's
identity, and the holiday calendar."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import DateInput, NumberInput, TimeInput

from kinerja.errors import ValidationFailed
from kinerja.settings import CLOCK, INTEGER, SETTINGS, Spec, parse

REQUIRED = _l("Wajib diisi.")
TOO_LONG = _l("Paling banyak %(max)d karakter.")


def widget_for(spec: Spec):
    """The input that brings up the right keyboard or picker on a phone, with the bounds the server checks."""
    if spec.kind == INTEGER:
        return NumberInput(step=1, min=spec.low, max=spec.high)
    if spec.kind == CLOCK:
        return TimeInput()
    return DateInput()


def checked_by(spec: Spec):
    """A field validator that applies kinerja.settings.parse, so the form shows every bad value at once."""

    def check(_form, field) -> None:
        try:
            parse(spec, field.data or "")
        except ValidationFailed as error:
            raise ValidationError(error.message) from None

    return check


def settings_form_class() -> type[FlaskForm]:
    """A form with one text field per setting, named as the setting."""
    fields = {
        spec.name: StringField(spec.label, validators=[checked_by(spec)], widget=widget_for(spec),
                               render_kw={"min": "05:00", "max": "12:00"} if spec.kind == CLOCK else None)
        for spec in SETTINGS.values()
    }
    return type("SettingsForm", (FlaskForm,), fields)


SettingsForm = settings_form_class()


def required_text(length: int, message=REQUIRED) -> list:
    return [InputRequired(message), Length(max=length, message=TOO_LONG)]


class RegencyForm(FlaskForm):
    name = StringField(_l("Nama pemerintah daerah"), validators=required_text(150))
    signature_city = StringField(_l("Kota tempat penandatanganan"), validators=required_text(80))
    logo = FileField(_l("Logo (PNG, JPEG atau WebP)"), render_kw={"accept": "image/png,image/jpeg,image/webp"})
    remove_logo = BooleanField(_l("Hapus logo (pakai lambang netral)"))


class HolidayForm(FlaskForm):
    day = DateField(_l("Tanggal"), validators=[InputRequired(_l("Pilih tanggal."))])
    name = StringField(_l("Nama hari libur"), validators=required_text(120))


class CancelHolidayForm(FlaskForm):
    reason = StringField(_l("Alasan"), validators=required_text(120, _l("Tulis alasan pembatalan.")))


class RenameHolidayForm(FlaskForm):
    name = StringField(_l("Nama baru"), validators=required_text(120))
