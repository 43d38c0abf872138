"""Small forms of the main pages."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf

from kinerja.i18n import LANGUAGE_NAMES


class LanguageForm(FlaskForm):
    """The language switch in the footer; the template renders the choices itself."""

    language = StringField(validators=[AnyOf(list(LANGUAGE_NAMES))])
    next = HiddenField()
