"""Forms of the oversight pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length


class LockForm(FlaskForm):
    agency_id = IntegerField(validators=[InputRequired()])
    action = SelectField(choices=[SelectChoice("close", "close"), SelectChoice("open", "open")])
    reason = StringField(_l("Alasan"), validators=[DataRequired(message=_l("Alasan wajib diisi.")), Length(max=255)])
