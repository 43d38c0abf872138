"""The signed-in user's notifications."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from kinerja import notify
from kinerja.activities.forms import ActionForm
from kinerja.auth.services import safe_next_url
from kinerja.extensions import db
from kinerja.main import bp
from kinerja.models import Notification


@bp.route("/notifikasi")
@login_required
def notifications():
    query = (select(Notification).where(Notification.user_id == current_user.id)
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    page = db.paginate(query, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("main/notifications.html", page=page, render=notify.render, action_form=ActionForm())


@bp.route("/notifikasi/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Mark one notice read and go where it points (always a path inside the app)."""
    notice = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                          Notification.user_id == current_user.id))
    if notice is None:
        abort(404)
    notify.mark_read(current_user.id, [notice.id])
    return redirect(safe_next_url(notice.link) or url_for("main.notifications"))


@bp.route("/notifikasi/baca-semua", methods=["POST"])
@login_required
def read_all():
    if not ActionForm().validate_on_submit():
        abort(400)
    notify.mark_read(current_user.id)
    return redirect(url_for("main.notifications"))
