"""Forms of the activity pages."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from kinerja.activities.services import ActivityInput
from kinerja.i18n import format_number, plain_number
from kinerja.models import ActivityCategory, WorkMode

EVIDENCE_ACCEPT = ".pdf,.jpg,.jpeg,.png,.webp,.docx,.xlsx,application/pdf,image/jpeg,image/png,image/webp"


class LocalDecimalField(DecimalField):
    """A decimal typed and shown as the reader writes numbers: '1,5' in Indonesian, '1.5' in English, with no
    needless zeros ('1', not '1.00'). A text box: a number box would show and take only '1.00'."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_number(self.data, self.places) if self.data is not None else ""

    def process_formdata(self, valuelist: list) -> None:
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [plain_number(valuelist[0])]
        super().process_formdata(valuelist)


def enum_choices(members) -> list[SelectChoice]:
    return [SelectChoice(member.value, member.label) for member in members]


class OutputFieldsForm(FlaskForm):
    """Output, work mode and category: shared by activities and personal templates."""

    quantity = LocalDecimalField(
        _l("Kuantitas"), places=2, default=1,
        validators=[InputRequired(message=_l("Isi kuantitas output.")),
                    NumberRange(min=0.01, max=99_999_999, message=_l("Kuantitas harus lebih dari 0."))],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    unit = StringField(
        _l("Satuan"),
        validators=[DataRequired(message=_l("Satuan output wajib diisi.")), Length(max=40)],
        render_kw={"list": "output-units", "autocomplete": "off"},
    )
    work_mode = SelectField(_l("Mode kerja"), default=WorkMode.WFO.value)
    category = SelectField(_l("Kategori"), default=ActivityCategory.MAIN.value)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.work_mode.choices = enum_choices(WorkMode)
        self.category.choices = enum_choices(ActivityCategory)


def indicator_value(value: object) -> int:
    """The chosen IKI's id; 0 for none; -1 (an id no IKI has) for anything that is not a number."""
    text = str(value if value is not None else "0").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else -1


class ActivityForm(OutputFieldsForm):
    """One activity of a day: the quick-add row and the edit page."""

    start_time = TimeField(_l("Mulai"), validators=[InputRequired(message=_l("Isi jam mulai."))])
    end_time = TimeField(_l("Selesai"), validators=[InputRequired(message=_l("Isi jam selesai."))])
    description = TextAreaField(
        _l("Uraian kegiatan"),
        validators=[DataRequired(message=_l("Uraian kegiatan wajib diisi.")), Length(max=2000)],
        render_kw={"rows": 2, "maxlength": 2000},
    )
    assignment_letter = StringField(_l("No. surat tugas (untuk DL)"), validators=[Optional(), Length(max=80)])
    files = MultipleFileField(_l("Berkas bukti"), render_kw={"accept": EVIDENCE_ACCEPT})
    link = StringField(_l("Tautan bukti"), validators=[Optional(), Length(max=500)],
                       render_kw={"inputmode": "url", "placeholder": "https://"})
    client_token = HiddenField()
    # Choices: the IKI of the approved SKP on the day, set by the view. Any other value (a colleague's IKI, a
    # made-up one) is left for the service to refuse with a message in the reader's language.
    indicator_id = SelectField(_l("Indikator SKP (IKI)"), coerce=indicator_value, default=0, validators=[Optional()],
                               choices=[SelectChoice(0, _l("— tanpa indikator —"))], validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.client_token.data:
            self.client_token.data = str(uuid.uuid4())

    def validate_client_token(self, field) -> None:
        if field.data:
            try:
                uuid.UUID(field.data)
            except ValueError:
                raise ValidationError(_l("Formulir tidak sah. Muat ulang halaman.")) from None

    def to_input(self, day) -> ActivityInput:
        return ActivityInput(
            activity_date=day,
            start_time=self.start_time.data,
            end_time=self.end_time.data,
            description=self.description.data or "",
            quantity=self.quantity.data,
            unit=self.unit.data or "",
            work_mode=WorkMode(self.work_mode.data),
            category=ActivityCategory(self.category.data),
            assignment_letter=self.assignment_letter.data,
            indicator_id=self.indicator_id.data or None,
            client_token=self.client_token.data or None,
            links=[self.link.data] if self.link.data else [],
        )


class EditActivityForm(ActivityForm):
    activity_date = DateField(_l("Tanggal"), validators=[InputRequired(message=_l("Isi tanggal."))])


class CopyDayForm(FlaskForm):
    source = DateField(_l("Salin dari tanggal"), validators=[InputRequired(message=_l("Pilih tanggal sumber."))])


class ActionForm(FlaskForm):
    """A bare form for POST buttons (submit, withdraw, delete): CSRF only."""
