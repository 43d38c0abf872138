"""Forms of the review pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class ReasonForm(FlaskForm):
    """Returning an item (or reopening one) needs a reason."""

    reason = TextAreaField(_l("Alasan"), validators=[DataRequired(message=_l("Alasan wajib diisi.")),
                                                     Length(max=1000)], render_kw={"rows": 2})


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Komentar"), validators=[DataRequired(message=_l("Komentar tidak boleh kosong.")),
                                                     Length(max=2000)], render_kw={"rows": 2})
