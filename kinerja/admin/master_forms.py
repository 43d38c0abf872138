"""Forms of the master-data pages: agencies, units, positions and offices.

Field checks live here; rules across records (unique codes, the unit tree, the agency's head) in the services.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from kinerja.admin.master_offices import LATITUDE_RANGE, LONGITUDE_RANGE, RADIUS_RANGE
from kinerja.models import PositionKind
from kinerja.models.org import TIMEZONES

REQUIRED = _l("Wajib diisi.")


def optional_id(value: object) -> int | None:
    """A select's value as an id; the empty choice is None."""
    if value in (None, "", "None"):
        return None
    return int(value)


class DecimalCommaField(FloatField):
    """A number typed the Indonesian way ('-6,9147') or the English way ('-6.9147'). A text box: the numeric
    keypads of many phones have no minus sign, and most of Indonesia lies south of the equator."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            valuelist = [valuelist[0].strip().replace(",", ".").replace("\u2212", "-")]
        super().process_formdata(valuelist)


class AgencyForm(FlaskForm):
    code = StringField(_l("Kode OPD"), validators=[InputRequired(REQUIRED), Length(max=20)])
    name = StringField(_l("Nama OPD"), validators=[InputRequired(REQUIRED), Length(max=150)])
    short_name = StringField(_l("Nama singkat"), validators=[InputRequired(REQUIRED), Length(max=40)])
    timezone = SelectField(_l("Zona waktu"),
                           choices=[SelectChoice(zone, f"{label} ({zone})") for zone, label in TIMEZONES.items()])
    work_week = SelectField(_l("Hari kerja sepekan"), coerce=int,
                            choices=[SelectChoice(5, _l("5 hari (Senin–Jumat)")),
                                     SelectChoice(6, _l("6 hari (Senin–Sabtu)"))])
    requires_evidence = BooleanField(_l("Kegiatan wajib disertai bukti dukung"))
    head_number = StringField(_l("NIP kepala OPD"), validators=[Optional(), Length(max=30)])


class UnitForm(FlaskForm):
    code = StringField(_l("Kode unit"), validators=[InputRequired(REQUIRED), Length(max=30)])
    name = StringField(_l("Nama unit"), validators=[InputRequired(REQUIRED), Length(max=150)])
    # The service checks the parent (same agency, no cycle); the choices only guide the user.
    parent_id = SelectField(_l("Unit induk"), coerce=optional_id, validate_choice=False)
    essential = BooleanField(_l("Layanan publik esensial (tetap bekerja di tempat)"))

    def set_parents(self, choices: list[tuple[int, str, int]]) -> None:
        """Offer the units as an indented list, with 'no parent' first."""
        self.parent_id.choices = [SelectChoice("", _l("— Tanpa induk (unit teratas) —"))] + [
            SelectChoice(unit_id, "\u00a0\u00a0" * depth + label) for unit_id, label, depth in choices]


class PositionForm(FlaskForm):
    name = StringField(_l("Nama jabatan"), validators=[InputRequired(REQUIRED), Length(max=150)])
    kind = SelectField(_l("Jenis jabatan"))
    class_grade = IntegerField(_l("Kelas jabatan"), validators=[
        InputRequired(REQUIRED), NumberRange(min=1, max=17, message=_l("Kelas jabatan antara 1 dan 17."))])
    essential = BooleanField(_l("Layanan publik esensial (tetap bekerja di tempat)"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(kind.value, kind.label) for kind in PositionKind]


class OfficeForm(FlaskForm):
    name = StringField(_l("Nama kantor"), validators=[InputRequired(REQUIRED), Length(max=150)])
    address = StringField(_l("Alamat"), validators=[Optional(), Length(max=255)])
    latitude = DecimalCommaField(_l("Lintang (latitude)"), validators=[
        InputRequired(REQUIRED),
        NumberRange(*LATITUDE_RANGE, message=_l("Lintang harus antara -11 dan 6 (wilayah Indonesia)."))])
    longitude = DecimalCommaField(_l("Bujur (longitude)"), validators=[
        InputRequired(REQUIRED),
        NumberRange(*LONGITUDE_RANGE, message=_l("Bujur harus antara 95 dan 141 (wilayah Indonesia)."))])
    radius_m = IntegerField(_l("Radius presensi (meter)"), validators=[
        InputRequired(REQUIRED), NumberRange(*RADIUS_RANGE, message=_l("Radius antara 10 dan 5.000 meter."))])
