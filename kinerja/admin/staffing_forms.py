"""Forms for transfers, retirement and account roles."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from kinerja.admin.staffing import SeparationReason


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class TransferForm(FlaskForm):
    agency_id = HiddenField(validators=[DataRequired(message=_l("Pilih OPD tujuan."))])
    effective_date = DateField(_l("Berlaku mulai"), validators=[InputRequired(message=_l("Isi tanggal berlaku."))])
    unit_id = SelectField(_l("Unit kerja"), coerce=int_or_none,
                          validators=[InputRequired(message=_l("Pilih unit kerja."))])
    position_id = SelectField(_l("Jabatan"), coerce=int_or_none,
                              validators=[InputRequired(message=_l("Pilih jabatan."))])
    appraiser_number = StringField(_l("NIP pejabat penilai"), validators=[Length(max=30)])
    decree_number = StringField(_l("Nomor SK"), validators=[Length(max=80)])

    def set_choices(self, units, positions) -> None:
        self.unit_id.choices = [SelectChoice(unit.id, f"{'· ' * unit.depth}{unit.name}") for unit in units]
        self.position_id.choices = [SelectChoice(position.id, position.name) for position in positions]


class RetireForm(FlaskForm):
    # Named apart from the transfer form's fields: both forms are on one page, and ids must be unique.
    retire_date = DateField(_l("Berhenti mulai"), validators=[InputRequired(message=_l("Isi tanggal berhenti."))])
    reason = SelectField(_l("Alasan berhenti"))
    retire_decree_number = StringField(_l("Nomor SK pemberhentian"), validators=[Length(max=80)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reason.choices = [SelectChoice(reason.value, reason.label) for reason in SeparationReason]


class RoleForm(FlaskForm):
    role = SelectField(_l("Peran"))
    agency_id = SelectField(_l("OPD (untuk Admin OPD)"), coerce=int_or_none, validate_choice=False)

    def set_choices(self, roles, agencies) -> None:
        self.role.choices = [SelectChoice(role.value, role.label) for role in roles]
        self.agency_id.choices = [SelectChoice("", "—"), *(SelectChoice(a.id, a.short_name) for a in agencies)]


class BankAccountForm(FlaskForm):
    """Where the TPP is paid; the service checks and normalises both (staffing.set_bank_account)."""

    bank_name = StringField(_l("Nama bank"), render_kw={"maxlength": 60, "autocomplete": "off"})
    bank_account = StringField(_l("Nomor rekening"), render_kw={"maxlength": 60, "inputmode": "numeric",
                                                                 "autocomplete": "off"})
