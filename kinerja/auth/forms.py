"""Sign-in and password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("NIP / nama pengguna"),
        validators=[DataRequired(message=_l("Isi NIP atau nama pengguna.")), Length(max=60)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "inputmode": "text"},
    )
    password = PasswordField(
        _l("Kata sandi"),
        validators=[DataRequired(message=_l("Isi kata sandi.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField(_l("Masuk"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Kata sandi saat ini"),
        validators=[DataRequired(message=_l("Isi kata sandi saat ini.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("Kata sandi baru"),
        validators=[DataRequired(message=_l("Isi kata sandi baru.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[
            DataRequired(message=_l("Ulangi kata sandi baru.")),
            EqualTo("new_password", message=_l("Kedua kata sandi baru tidak sama.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Simpan kata sandi"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Keluar"))
