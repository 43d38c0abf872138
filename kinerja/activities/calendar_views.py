"""The month calendar with its summary, the filterable list, and evidence downloads."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kinerja import clock
from kinerja.activities import bp, queries
from kinerja.activities.downloads import download_name
from kinerja.activities.evidence import delete_evidence, load_stored_file
from kinerja.activities.forms import ActionForm
from kinerja.activities.views import own_employee
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import ActivityStatus, WorkMode
from kinerja.permissions import load_evidence, load_own_activity


@bp.route("/bulan")
@login_required
def this_month():
    own_employee()
    return redirect(url_for("activities.month", month=clock.today().replace(day=1)))


@bp.route("/bulan/<month:month>")
@login_required
def month(month: date):
    employee = own_employee()
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return render_template(
        "activities/month.html", overview=queries.month_overview(employee.id, month),
        previous=previous, following=following, today=clock.today(), modes=list(WorkMode),
        state_labels=day_state_labels(),
    )


def day_state_labels() -> dict[str, str]:
    return {
        "empty": _("Belum diisi"),
        "draft": _("Draf"),
        "submitted": _("Diajukan"),
        "approved": _("Disetujui"),
        "returned": _("Dikembalikan"),
        "off": _("Akhir pekan / libur"),
        "leave": _("Cuti / izin"),
    }


def parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.route("/daftar")
@login_required
def listing():
    employee = own_employee()
    args = request.args
    status = args.get("status") if args.get("status") in ActivityStatus._value2member_map_ else None
    mode = args.get("mode") if args.get("mode") in WorkMode._value2member_map_ else None
    filters = {
        "start": parse_date(args.get("dari")),
        "end": parse_date(args.get("sampai")),
        "status": ActivityStatus(status) if status else None,
        "mode": WorkMode(mode) if mode else None,
        "search": args.get("q", "").strip()[:100],
    }
    page = queries.activity_list(employee.id, **filters, page=args.get("page", 1, type=int),
                                 per_page=current_app.config["PER_PAGE"])
    query_args = {key: value for key, value in args.items() if key != "page" and value}
    return render_template("activities/list.html", page=page, filters=filters, query_args=query_args,
                           statuses=list(ActivityStatus), modes=list(WorkMode))


@bp.route("/bukti/<int:evidence_id>")
@login_required
def evidence_file(evidence_id: int):
    """Serve a stored file as an attachment to someone who may see the activity."""
    evidence, path = load_stored_file(current_user, evidence_id)
    # Images and PDFs may be shown inline (the appraiser's inbox shows them); everything else downloads.
    inline = request.args.get("inline") == "1" and (
        evidence.content_type.startswith("image/") or evidence.content_type == "application/pdf"
    )
    response = send_file(path, mimetype=evidence.content_type, as_attachment=not inline,
                         download_name=download_name(evidence.original_name, path.name), max_age=0)
    if evidence.content_type != "application/pdf":
        response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@bp.route("/bukti/<int:evidence_id>/hapus", methods=["POST"])
@login_required
def evidence_delete(evidence_id: int):
    evidence = load_evidence(current_user, evidence_id)
    activity = load_own_activity(current_user, evidence.activity_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        delete_evidence(evidence)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("Bukti dihapus."), "success")
    return redirect(url_for("activities.edit", activity_id=activity.id))
