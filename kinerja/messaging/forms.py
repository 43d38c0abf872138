"""Forms of the message pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class GatewayForm(FlaskForm):
    kind = SelectField(_l("Jenis gateway"), validate_choice=False)
    enabled = BooleanField(_l("Aktif (pesan dikirim)"))
    base_url = StringField(_l("Alamat (URL)"), validators=[Optional(), Length(max=255)])
    sender_id = StringField(_l("Phone number ID (Cloud API)"), validators=[Optional(), Length(max=64)])
    method = SelectField(_l("Metode"), choices=[SelectChoice("POST", "POST"), SelectChoice("GET", "GET")],
                         validate_choice=False)
    body_format = SelectField(_l("Format isi"), validate_choice=False,
                              choices=[SelectChoice("json", "JSON"), SelectChoice("form", _l("Formulir"))])
    body_template = TextAreaField(_l("Isi permintaan"), validators=[Optional(), Length(max=2000)])
    token_header = StringField(_l("Header token"), validators=[Optional(), Length(max=64)])
    token_env = StringField(_l("Variabel lingkungan token"), validators=[Optional(), Length(max=64)])
    template_prefix = StringField(_l("Awalan nama templat"), validators=[Optional(), Length(max=40)])
    kinds = SelectMultipleField(_l("Pemberitahuan yang dikirim"), validate_choice=False,
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    per_minute = IntegerField(_l("Pesan per menit"), validators=[
        InputRequired(message=_l("Isi batas pesan per menit.")), NumberRange(min=1, max=1000)])


class ContactForm(FlaskForm):
    whatsapp_number = StringField(_l("Nomor WhatsApp"), validators=[Optional(), Length(max=30)])
    whatsapp_opt_in = BooleanField(_l("Kirim pengingat lewat WhatsApp"))
    telegram_chat_id = StringField(_l("ID obrolan Telegram"), validators=[Optional(), Length(max=30)])
    telegram_opt_in = BooleanField(_l("Kirim pengingat lewat Telegram"))


class ActionForm(FlaskForm):
    """CSRF only, for POST buttons."""


class CodeForm(FlaskForm):
    """Ask for a verification code, or type it back, for one channel."""

    channel = SelectField(choices=[SelectChoice("whatsapp", "WhatsApp"), SelectChoice("telegram", "Telegram")])
    code = StringField(_l("Kode verifikasi"), validators=[Optional(), Length(max=12)])
