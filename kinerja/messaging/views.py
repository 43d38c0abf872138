"""Message pages: the person's own choices and number verification (/profil/pesan); BKD's gateways and delivery
log (/bkd/pesan); an agency's part of the log for its admins (/opd/<agency>/pesan/, another agency's is a 404)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from kinerja import clock, notify
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.extensions import db, limiter
from kinerja.messaging import bp, gateways, services, verification
from kinerja.messaging.forms import ActionForm, CodeForm, ContactForm, GatewayForm
from kinerja.models import Agency, Channel, GatewayKind, MessageStatus, OutboundMessage
from kinerja.permissions import GLOBAL_ROLES, roles_required


@bp.route("/profil/pesan", methods=["GET", "POST"])
@login_required
def contacts():
    current = services.contacts_of(current_user)
    form = ContactForm()
    if request.method == "GET":
        whatsapp, telegram = current.get(Channel.WHATSAPP), current.get(Channel.TELEGRAM)
        employee_phone = current_user.employee.phone if current_user.employee else ""
        form.whatsapp_number.data = whatsapp.address if whatsapp else (employee_phone or "")
        form.whatsapp_opt_in.data = bool(whatsapp and whatsapp.opted_in)
        form.telegram_chat_id.data = telegram.address if telegram else ""
        form.telegram_opt_in.data = bool(telegram and telegram.opted_in)
    if form.validate_on_submit():
        try:
            services.save_contacts(current_user, services.ContactInput(
                form.whatsapp_number.data or "", bool(form.whatsapp_opt_in.data),
                form.telegram_chat_id.data or "", bool(form.telegram_opt_in.data)))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Pengaturan pesan disimpan."), "success")
            return redirect(url_for("messaging.contacts"))
    live = {channel for channel in Channel if gateways.ready(services.gateway_for(channel))}
    return render_template("messaging/contacts.html", form=form, live=live, contacts=current,
                           minutes=verification.CODE_MINUTES)


@bp.route("/profil/pesan/kode", methods=["POST"])
@login_required
@limiter.limit("10 per minute")
def send_code():
    """Send a verification code to the person's own number (or Telegram chat)."""
    return code_step(lambda form, channel: verification.send_code(current_user, channel,
                                                                  services.gateway_for(channel)),
                     _("Kode verifikasi dikirim lewat %(channel)s. Ketik kodenya di bawah."))


@bp.route("/profil/pesan/verifikasi", methods=["POST"])
@login_required
@limiter.limit("10 per minute")
def verify_code():
    """Check the code the person typed back; their number then receives reminders."""
    return code_step(lambda form, channel: verification.confirm_code(current_user, channel, form.code.data or ""),
                     _("Nomor %(channel)s terverifikasi: pengingat akan dikirim ke sana."))


def code_step(step, success: str):
    """Run one step of a number's verification from the posted CodeForm, then back to the contacts page at that
    channel, saying how it went (`success` names the channel as %(channel)s)."""
    form = CodeForm()
    if not form.validate_on_submit():
        flash(_("Formulir kedaluwarsa. Muat ulang halaman dan coba lagi."), "danger")
        return redirect(url_for("messaging.contacts"))
    channel = Channel(form.channel.data)
    try:
        step(form, channel)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(success % {"channel": channel.label}, "success")
    return redirect(url_for("messaging.contacts", _anchor=f"verify-{channel.value}"))


@bp.route("/bkd/pesan/")
@roles_required(*GLOBAL_ROLES)
def log():
    status = request.args.get("status", "")
    channel = request.args.get("saluran", "")
    query = select(OutboundMessage).options(joinedload(OutboundMessage.user)).order_by(OutboundMessage.id.desc())
    if status in MessageStatus.__members__.values():
        query = query.where(OutboundMessage.status == status)
    if channel in Channel.__members__.values():
        query = query.where(OutboundMessage.channel == channel)
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=50, error_out=False)
    gateway_rows = [(channel, services.gateway_for(channel)) for channel in Channel]
    return render_template("messaging/log.html", page=page, status=status, channel=channel,
                           gateways=gateway_rows, ready=gateways.ready, statuses=list(MessageStatus),
                           channels=list(Channel), form=ActionForm())


def gateway_form(channel: Channel, gateway) -> GatewayForm:
    form = GatewayForm(obj=gateway)
    form.kind.choices = [SelectChoice(kind.value, kind.label) for kind in services.KINDS_BY_CHANNEL[channel]]
    form.kinds.choices = [SelectChoice(kind, notify.MESSAGES[kind]) for kind in notify.MESSAGES]
    if request.method == "GET":
        form.kinds.data = gateway.kind_list if gateway else list(services.SUGGESTED_KINDS)
        if gateway is None:
            form.per_minute.data, form.template_prefix.data = 60, "kinerja_"
            form.token_header.data = "" if channel == Channel.TELEGRAM else "Authorization"
            form.body_template.data = '{"target": "{phone}", "message": "{message}"}'
    return form


@bp.route("/bkd/pesan/gateway/<any(whatsapp, telegram):channel>", methods=["GET", "POST"])
@roles_required(*GLOBAL_ROLES)
def gateway(channel: str):
    channel = Channel(channel)
    current = services.gateway_for(channel)
    form = gateway_form(channel, current)
    if form.validate_on_submit():
        data = services.GatewayInput(
            kind=form.kind.data or "", enabled=bool(form.enabled.data), base_url=form.base_url.data or "",
            sender_id=form.sender_id.data or "", method=form.method.data or "POST",
            body_format=form.body_format.data or "json", body_template=form.body_template.data or "",
            token_header=form.token_header.data or "", token_env=form.token_env.data or "",
            template_prefix=form.template_prefix.data or "", kinds=list(form.kinds.data or []),
            per_minute=form.per_minute.data or 0)
        try:
            services.save_gateway(current_user, channel, data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Gateway %(channel)s disimpan.", channel=channel.label), "success")
            return redirect(url_for("messaging.log"))
    templates = [(kind, gateways.template_text(kind)) for kind in (
        *(current.kind_list if current else services.SUGGESTED_KINDS), gateways.VERIFICATION)]
    token_missing = bool(current and current.token_env and not gateways.token(current))
    return render_template("messaging/gateway.html", form=form, channel=channel, gateway=current,
                           templates=templates, token_missing=token_missing, cloud=GatewayKind.CLOUD_API)


@bp.route("/bkd/pesan/<int:message_id>/ulang", methods=["POST"])
@roles_required(*GLOBAL_ROLES)
def retry(message_id: int):
    message = db.session.get(OutboundMessage, message_id)
    if message is None:
        abort(404)
    if ActionForm().validate_on_submit():
        try:
            services.retry_message(current_user, message)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(_("Pesan diantrekan untuk dikirim ulang."), "success")
    return redirect(url_for("messaging.log"))


def administered_agency(agency_id: int) -> Agency:
    """The agency, if the user is BKD or its admin; else 404."""
    agency = db.session.get(Agency, agency_id)
    if agency is None or not services.may_read_agency_log(current_user, agency.id):
        abort(404)
    return agency


@bp.route("/opd/<int:agency_id>/pesan/")
@login_required
def agency_log(agency_id: int):
    """The delivery log narrowed to the people of one agency."""
    agency = administered_agency(agency_id)
    status = request.args.get("status", "")
    channel = request.args.get("saluran", "")
    query = services.agency_messages(agency, clock.today(agency.timezone), status, channel).options(
        joinedload(OutboundMessage.user))
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=50, error_out=False)
    return render_template("messaging/agency_log.html", agency=agency, page=page, status=status, channel=channel,
                           statuses=list(MessageStatus), channels=list(Channel))


@bp.route("/opd/<int:agency_id>/pesan/<int:message_id>")
@login_required
def agency_message(agency_id: int, message_id: int):
    """One message of the agency's log: its text, attempts and last error."""
    agency = administered_agency(agency_id)
    message = services.agency_message(agency, message_id, clock.today(agency.timezone))
    if message is None:
        abort(404)
    return render_template("messaging/agency_message.html", agency=agency, message=message)
