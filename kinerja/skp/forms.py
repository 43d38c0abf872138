"""Forms of the SKP pages."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from kinerja.activities.forms import enum_choices
from kinerja.models import BehaviourValue, IkiAspect, RhkKind
from kinerja.models.skp import BEHAVIOUR_LABELS, Rating
from kinerja.skp.evaluation import IndicatorInput
from kinerja.skp.services import IkiInput, LampiranInput, RhkInput


class NewSkpForm(FlaskForm):
    """A new draft plan for a period, optionally copied from an earlier plan (choices set by the view)."""

    period_start = DateField(_l("Awal periode"), validators=[InputRequired(message=_l("Isi awal periode."))])
    period_end = DateField(_l("Akhir periode"), validators=[InputRequired(message=_l("Isi akhir periode."))])
    copy_from = SelectField(_l("Salin isi dari"), coerce=int, default=0, validators=[Optional()],
                            choices=[SelectChoice(0, _l("— SKP kosong —"))])


class RhkForm(FlaskForm):
    kind = SelectField(_l("Jenis RHK"), default=RhkKind.MAIN.value)
    text = TextAreaField(_l("Rencana hasil kerja"), render_kw={"rows": 2, "maxlength": 2000},
                         validators=[DataRequired(message=_l("Rencana hasil kerja wajib diisi.")), Length(max=2000)])
    # Choices: the RHK of the appraiser's approved SKP, set by the view. The service checks the pick (and says
    # plainly why another appraiser's RHK or an unapproved plan's is refused), so the form does not.
    parent_rhk_id = SelectField(_l("RHK atasan yang diintervensi"), coerce=int, default=0, validate_choice=False,
                                validators=[Optional()], choices=[SelectChoice(0, _l("— pilih RHK atasan —"))])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(RhkKind)

    def to_input(self) -> RhkInput:
        return RhkInput(RhkKind(self.kind.data), self.text.data or "", self.parent_rhk_id.data or None)


class IkiForm(FlaskForm):
    text = TextAreaField(_l("Indikator kinerja individu"), render_kw={"rows": 2, "maxlength": 2000},
                         validators=[DataRequired(message=_l("Indikator kinerja individu wajib diisi.")),
                                     Length(max=2000)])
    target_value = DecimalField(_l("Target"), places=2,
                                validators=[InputRequired(message=_l("Isi target."))],
                                render_kw={"inputmode": "decimal", "step": "any"})
    unit = StringField(_l("Satuan"), validators=[DataRequired(message=_l("Satuan target wajib diisi.")),
                                                 Length(max=40)], render_kw={"maxlength": 40})
    aspect = SelectField(_l("Aspek"), default=IkiAspect.QUANTITY.value)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.aspect.choices = enum_choices(IkiAspect)

    def to_input(self) -> IkiInput:
        return IkiInput(self.text.data or "", self.target_value.data, self.unit.data or "",
                        IkiAspect(self.aspect.data))


class LampiranForm(FlaskForm):
    agency_goal = TextAreaField(_l("Tujuan/sasaran organisasi"), validators=[Optional(), Length(max=4000)],
                                render_kw={"rows": 2})
    dukungan_sumber_daya = TextAreaField(_l("Dukungan sumber daya"), validators=[Optional(), Length(max=4000)],
                                         render_kw={"rows": 2})
    skema_pertanggungjawaban = TextAreaField(_l("Skema pertanggungjawaban"),
                                             validators=[Optional(), Length(max=4000)], render_kw={"rows": 2})
    konsekuensi = TextAreaField(_l("Konsekuensi"), validators=[Optional(), Length(max=4000)],
                                render_kw={"rows": 2})

    def to_input(self) -> LampiranInput:
        return LampiranInput(self.dukungan_sumber_daya.data or "", self.skema_pertanggungjawaban.data or "",
                             self.konsekuensi.data or "", self.agency_goal.data or "")


class ApproveForm(FlaskForm):
    """Approval, with the appraiser's optional ekspektasi khusus for each BerAKHLAK value."""

    def expectations(self) -> dict[BehaviourValue, str]:
        return {value: getattr(self, expectation_field(value)).data or "" for value in BehaviourValue}


def expectation_field(value: BehaviourValue) -> str:
    return f"expectation_{value.value}"


for _value in BehaviourValue:
    setattr(ApproveForm, expectation_field(_value),
            TextAreaField(BEHAVIOUR_LABELS[_value], validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}))


class EvaluationForm(FlaskForm):
    """The month's evaluation: the two ratings, and per IKI (fields added by evaluation_form) an adjustment of
    the realisation, a note and umpan balik."""

    rating_result = SelectField(_l("Penilaian hasil kerja"),
                                validators=[DataRequired(message=_l("Pilih penilaian hasil kerja."))])
    rating_behaviour = SelectField(_l("Penilaian perilaku kerja"),
                                   validators=[DataRequired(message=_l("Pilih penilaian perilaku kerja."))])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [SelectChoice("", _l("— pilih —")), *enum_choices(Rating)]
        self.rating_result.choices = choices
        self.rating_behaviour.choices = choices

    def indicator_inputs(self, iki_ids) -> dict[int, IndicatorInput]:
        return {iki_id: IndicatorInput(self[f"adjustment_{iki_id}"].data, self[f"note_{iki_id}"].data or "",
                                       self[f"feedback_{iki_id}"].data or "") for iki_id in iki_ids}


def evaluation_form(iki_ids, **kwargs) -> EvaluationForm:
    """An EvaluationForm with the fields of each IKI of the plan."""

    class PlanEvaluationForm(EvaluationForm):
        pass

    for iki_id in iki_ids:
        setattr(PlanEvaluationForm, f"adjustment_{iki_id}",
                DecimalField(_l("Penyesuaian"), places=2, default=Decimal("0"), validators=[Optional()],
                             render_kw={"inputmode": "decimal", "step": "any"}))
        setattr(PlanEvaluationForm, f"note_{iki_id}",
                TextAreaField(_l("Catatan"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 1}))
        setattr(PlanEvaluationForm, f"feedback_{iki_id}",
                TextAreaField(_l("Umpan balik"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}))
    return PlanEvaluationForm(**kwargs)
