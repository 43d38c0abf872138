"""Forms of the signing pages: BKD's signing setup and the signer's passphrase (never kept, never echoed)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from kinerja.signatures.setup import MODES

REQUIRED = _l("Wajib diisi.")


class SetupForm(FlaskForm):
    mode = SelectField(_l("Cara penandatanganan"), choices=[SelectChoice(key, label) for key, label in MODES.items()])
    pkcs12_path = StringField(_l("Path berkas PKCS#12 (.p12) di server"), validators=[Length(max=255)])
    trust_roots_path = StringField(_l("Path sertifikat akar tepercaya (PEM) di server"),
                                   validators=[Length(max=255)])
    bsre_base_url = StringField(_l("Alamat layanan BSrE"), validators=[Length(max=255)])
    bsre_client_id_env = StringField(_l("Variabel lingkungan ID klien BSrE"), validators=[Length(max=60)])
    bsre_client_secret_env = StringField(_l("Variabel lingkungan rahasia klien BSrE"), validators=[Length(max=60)])
    visible = BooleanField(_l("Tanda tangan tampak pada halaman"))
    page = IntegerField(_l("Halaman (0 = halaman terakhir)"), default=1,
                        validators=[InputRequired(REQUIRED), NumberRange(0, 999)])
    box_x = IntegerField(_l("Kotak: jarak dari kiri (pt)"), default=400, validators=[InputRequired(REQUIRED)])
    box_y = IntegerField(_l("Kotak: jarak dari bawah (pt)"), default=60, validators=[InputRequired(REQUIRED)])
    box_width = IntegerField(_l("Kotak: lebar (pt)"), default=160, validators=[InputRequired(REQUIRED)])
    box_height = IntegerField(_l("Kotak: tinggi (pt)"), default=60, validators=[InputRequired(REQUIRED)])


class SignForm(FlaskForm):
    nik = StringField(_l("NIK pemilik sertifikat"), validators=[Optional(), Length(max=20)])
    passphrase = PasswordField(_l("Passphrase sertifikat elektronik"),
                               validators=[InputRequired(REQUIRED), Length(max=200)])
