"""Forms of the staff import: the upload with its effective date, the confirmation of a checked file and the
one download of the new accounts' initial passwords."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from kinerja import clock

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_DAYS_AWAY = 366  # an effective date more than a year away is a typo


class EffectiveDateMixin:
    def validate_effective_date(self, field) -> None:
        if field.data and abs((field.data - clock.today()).days) > MAX_DAYS_AWAY:
            raise ValidationError(_l("Tanggal efektif paling jauh setahun dari hari ini."))


class StaffImportForm(EffectiveDateMixin, FlaskForm):
    file = FileField(_l("Berkas Excel (.xlsx)"),
                     validators=[FileRequired(message=_l("Pilih berkas .xlsx yang akan diperiksa."))],
                     render_kw={"accept": f".xlsx,{XLSX_TYPE}"})
    effective_date = DateField(_l("Tanggal efektif"), default=clock.today,
                               validators=[InputRequired(message=_l("Isi tanggal efektif."))])


class ConfirmImportForm(EffectiveDateMixin, FlaskForm):
    """The checked file by its token, with the date and name it was checked with."""

    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{20,64}$")])
    effective_date = DateField(validators=[InputRequired()], widget=HiddenField.widget)
    file_name = HiddenField(validators=[Length(max=200)])


class PasswordsDownloadForm(FlaskForm):
    """A POST, not a link: the download removes the file, and a GET could be spent by a link preview or
    prefetch; the token also stays out of access logs and the browser history."""

    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{20,64}$")])


def effective_date_limits() -> tuple[str, str]:
    """min and max for the date input."""
    today = clock.today()
    return ((today - timedelta(days=MAX_DAYS_AWAY)).isoformat(), (today + timedelta(days=MAX_DAYS_AWAY)).isoformat())
