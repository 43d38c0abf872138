"""Forms for leave and backdating exceptions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from kinerja.models import ActingKind, LeaveKind


class LeaveForm(FlaskForm):
    id_number = StringField(_l("NIP / NIK pegawai"), validators=[DataRequired(message=_l("Isi NIP pegawai.")),
                                                                 Length(max=30)])
    kind = SelectField(_l("Jenis"))
    start_date = DateField(_l("Mulai"), validators=[InputRequired(message=_l("Isi tanggal mulai."))])
    end_date = DateField(_l("Selesai"), validators=[InputRequired(message=_l("Isi tanggal selesai."))])
    document_number = StringField(_l("Nomor surat / dokumen"), validators=[Length(max=80)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(kind.value, kind.label) for kind in LeaveKind]


class BackdateGrantForm(FlaskForm):
    id_number = StringField(_l("NIP / NIK pegawai"), validators=[DataRequired(message=_l("Isi NIP pegawai.")),
                                                                 Length(max=30)])
    start_date = DateField(_l("Dari tanggal"), validators=[InputRequired(message=_l("Isi tanggal mulai."))])
    end_date = DateField(_l("Sampai tanggal"), validators=[InputRequired(message=_l("Isi tanggal selesai."))])
    valid_until = DateField(_l("Berlaku sampai"), validators=[InputRequired(message=_l("Isi batas berlaku."))])
    reason = StringField(_l("Alasan"), validators=[DataRequired(message=_l("Alasan wajib diisi.")),
                                                   Length(max=255)])


class ActingForm(FlaskForm):
    acting_number = StringField(_l("NIP pelaksana (Plh/Plt)"),
                                validators=[DataRequired(message=_l("Isi NIP pelaksana.")), Length(max=30)])
    absent_number = StringField(_l("NIP pejabat yang digantikan"),
                                validators=[DataRequired(message=_l("Isi NIP pejabat yang digantikan.")),
                                            Length(max=30)])
    kind = SelectField(_l("Jenis"))
    start_date = DateField(_l("Mulai"), validators=[InputRequired(message=_l("Isi tanggal mulai."))])
    end_date = DateField(_l("Selesai"), validators=[InputRequired(message=_l("Isi tanggal selesai."))])
    decree_number = StringField(_l("Nomor surat perintah"),
                                validators=[DataRequired(message=_l("Nomor surat perintah wajib diisi.")),
                                            Length(max=80)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(kind.value, kind.label) for kind in ActingKind]
