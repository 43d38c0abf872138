"""WhatsApp/Telegram messages against a local gateway (a real HTTP server in a thread) that records what it gets
and fails on demand: sent once, retried with backoff, kept through an outage, within the limits, never to someone
who opted out; the pages of the person and of BKD."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from kinerja import notify
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.messaging import addresses, outbox, services
from kinerja.models import AuditEntry, Channel, MessageContact, MessageStatus, OutboundMessage
from tests.factories import FIXED_NOW, freeze_now


@dataclass
class Gateway:
    """A local gateway: `failures` is a list of what the next requests get ("500", "429:<seconds>", "timeout")."""

    url: str = ""
    received: list[dict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def __call__(self, environ, start_response):
        request = Request(environ)
        body = request.get_data(as_text=True)
        self.received.append({"path": request.path, "headers": dict(request.headers), "body": body,
                              "form": request.form.to_dict(), "args": request.args.to_dict()})
        failure = self.failures.pop(0) if self.failures else ""
        if failure == "timeout":
            time.sleep(1.0)
        if failure == "500":
            return Response("boom", status=500)(environ, start_response)
        if failure.startswith("429"):
            return Response('{"error": "slow down"}', status=429,
                            headers={"Retry-After": failure.split(":")[1]})(environ, start_response)
        if failure == "400":
            return Response('{"error": "invalid number"}', status=400)(environ, start_response)
        if failure.startswith("200:"):  # HTTP 200 whose JSON body reports a failure
            return Response(failure[4:], content_type="application/json")(environ, start_response)
        return Response(json.dumps({"messages": [{"id": f"wamid.{len(self.received)}"}], "ok": True,
                                    "result": {"message_id": len(self.received)}}),
                        content_type="application/json")(environ, start_response)


@pytest.fixture()
def gateway(app) -> Iterator[Gateway]:
    recorder = Gateway()
    server = make_server("127.0.0.1", 0, recorder, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    recorder.url = f"http://127.0.0.1:{server.server_port}"
    yield recorder
    server.shutdown()
    thread.join()


@pytest.fixture()
def setup(app, org, gateway, monkeypatch):
    """A local WhatsApp gateway (JSON body, token header) live; Staf A opted in at 0812-3456-7890."""
    freeze_now(monkeypatch)
    monkeypatch.setenv("KINERJA_WA_TOKEN", "rahasia-123")
    monkeypatch.setitem(app.config, "MESSAGE_TIMEOUT_SECONDS", 0.3)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://kinerja.contoh.go.id")
    services.save_gateway(org.bkd_admin, Channel.WHATSAPP, services.GatewayInput(
        kind="http", enabled=True, base_url=gateway.url + "/send",
        body_template='{"target": "{phone}", "message": "{message}"}', token_header="Authorization",
        token_env="KINERJA_WA_TOKEN", kinds=["unfiled", "waiting", "approved", "returned"], per_minute=60))
    staff = org.user(org.staff_a)
    services.save_contacts(staff, services.ContactInput(whatsapp_number="0812-3456-7890", whatsapp_opt_in=True))
    mark_verified(staff, Channel.WHATSAPP)
    return staff


def mark_verified(user, channel: Channel) -> None:
    """As if the person had typed back the code (the code itself is tested in test_messaging_verification.py)."""
    contact = db.session.scalar(select(MessageContact).where(MessageContact.user_id == user.id,
                                                             MessageContact.channel == channel))
    contact.verified_at = FIXED_NOW
    db.session.commit()


def notice(user, kind="waiting", **params):
    notify.send([notify.Notice(user.id, kind, params or {"n": 4, "days": 3}, link="/pemeriksaan/")])
    db.session.commit()


def move(monkeypatch, minutes: float):
    freeze_now(monkeypatch, FIXED_NOW + timedelta(minutes=minutes))


def messages() -> list[OutboundMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


@pytest.mark.parametrize(("typed", "stored"), [
    ("0812-3456-7890", "6281234567890"), ("+62 812 3456 7890", "6281234567890"), ("62812345678", "62812345678"),
    ("812 3456 7890", "6281234567890"), ("(0812) 3456.7890", "6281234567890")])
def test_indonesian_numbers_are_written_62(typed, stored):
    assert addresses.whatsapp_number(typed) == stored


@pytest.mark.parametrize("typed", ["021 555 1234", "0812", "+1 415 555 0100", "62812345678901234", "nomor"])
def test_other_numbers_are_refused(typed):
    with pytest.raises(ValidationFailed):
        addresses.whatsapp_number(typed)


def test_a_notice_is_delivered_once_with_its_text_and_token(setup, gateway):
    notice(setup)
    first = outbox.send_pending()
    second = outbox.send_pending()
    assert (first.queued, first.sent, second.queued, second.sent) == (1, 1, 0, 0)
    assert len(gateway.received) == 1
    request = gateway.received[0]
    assert request["path"] == "/send" and request["headers"]["Authorization"] == "rahasia-123"
    body = json.loads(request["body"])
    assert body == {"target": "6281234567890", "message": "Kinerja: 4 kegiatan bawahan menunggu pemeriksaan "
                    "Anda lebih dari 3 hari.\nhttps://kinerja.contoh.go.id/pemeriksaan/"}
    [message] = messages()
    assert (message.status, message.attempts, message.key) == (MessageStatus.SENT, 1,
                                                               f"notice-{message.notification_id}-whatsapp")
    assert request["headers"]["Idempotency-Key"] == message.key


def test_failures_are_retried_with_growing_waits(setup, gateway, monkeypatch):
    gateway.failures = ["500", "timeout", "429:600"]
    notice(setup)
    outbox.send_pending()
    [message] = messages()
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.QUEUED, 1, "HTTP 500: boom")
    assert message.next_attempt_at == FIXED_NOW + timedelta(minutes=1)
    move(monkeypatch, 0.5)
    assert outbox.drain().sent == 0 and len(gateway.received) == 1  # not due yet
    move(monkeypatch, 1)
    outbox.drain()
    [message] = messages()
    assert message.attempts == 2 and message.last_error.startswith("timeout")
    assert message.next_attempt_at == FIXED_NOW + timedelta(minutes=1 + 2)
    move(monkeypatch, 3)
    outbox.drain()
    [message] = messages()  # 429 asked for 10 minutes: more than the 4 of the backoff
    assert message.attempts == 3 and message.next_attempt_at == FIXED_NOW + timedelta(minutes=3 + 10)
    move(monkeypatch, 13)
    assert outbox.drain().sent == 1
    [message] = messages()
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.SENT, 4, None)
    assert len(gateway.received) == 4


def test_nothing_is_lost_while_the_gateway_is_down_for_an_hour(setup, gateway, monkeypatch):
    notice(setup)
    notice(setup, "approved", n=2, name="Penilai A")
    down_until = 60
    minute = 0
    while minute <= 90:  # cron every minute
        move(monkeypatch, minute)
        gateway.failures = ["500"] * 10 if minute < down_until else []
        outbox.send_pending()
        minute += 1
    sent = [message for message in messages() if message.status == MessageStatus.SENT]
    assert len(sent) == 2
    # attempts at 0, 1, 3, 7, 15, 31 minutes failed; the one at 63 went through
    assert [message.attempts for message in sent] == [7, 7]
    assert all(message.sent_at == FIXED_NOW + timedelta(minutes=63) for message in sent)
    assert len(gateway.received) == 14  # 2 messages × 7 attempts: none sent twice, none lost


def test_a_refused_message_fails_at_once_and_gives_up_after_the_attempts(setup, gateway, monkeypatch):
    gateway.failures = ["400"]
    notice(setup)
    outbox.send_pending()
    [message] = messages()
    assert message.status == MessageStatus.FAILED and message.attempts == 1
    assert "invalid number" in message.last_error


@pytest.mark.parametrize("answer", [
    '{"status": false, "reason": "device not connected"}',  # Fonnte-style
    '{"status": "error", "message": "Nomor tidak terdaftar di WhatsApp"}',
    '{"success": false, "detail": "quota habis"}',
    '{"error": "token invalid"}',
])
def test_a_200_whose_body_reports_failure_is_retried_not_delivered(setup, gateway, monkeypatch, answer):
    gateway.failures = ["200:" + answer]
    notice(setup)
    report = outbox.send_pending()
    assert (report.sent, report.retried) == (0, 1)
    [message] = messages()
    assert message.status == MessageStatus.QUEUED and message.sent_at is None and message.attempts == 1
    detail = json.loads(answer)
    expected = detail.get("reason") or detail.get("message") or detail.get("detail") or detail.get("error")
    assert message.last_error == f"gateway: {expected}"
    move(monkeypatch, 1)
    assert outbox.drain().sent == 1 and messages()[0].status == MessageStatus.SENT


@pytest.mark.parametrize("answer", ['{"status": true, "id": "m-1"}', '{"status": "success", "error": null}',
                                    '{"success": true, "error": ""}', '{}'])
def test_a_200_whose_body_reports_success_is_a_delivery(setup, gateway, answer):
    gateway.failures = ["200:" + answer]
    notice(setup)
    assert outbox.send_pending().sent == 1


def test_a_cloud_api_error_object_in_a_200_is_retried(setup, gateway, org, monkeypatch):
    services.save_gateway(org.bkd_admin, Channel.WHATSAPP, services.GatewayInput(
        kind="cloud_api", enabled=True, base_url=gateway.url + "/v21.0", sender_id="1234567890",
        token_env="KINERJA_WA_TOKEN", kinds=["waiting"], per_minute=60))
    gateway.failures = ['200:{"error": {"message": "(#131000) Something went wrong", "type": "OAuthException", '
                        '"code": 131000, "fbtrace_id": "Ab1"}}']
    notice(setup)
    assert outbox.send_pending().sent == 0
    [message] = messages()
    assert message.status == MessageStatus.QUEUED and message.provider_id is None
    assert message.last_error == "Cloud API 131000: (#131000) Something went wrong"
    move(monkeypatch, 1)
    assert outbox.drain().sent == 1 and messages()[0].provider_id == "wamid.2"


def test_the_gateway_limit_per_minute_holds(setup, gateway, monkeypatch, org):
    services.save_gateway(org.bkd_admin, Channel.WHATSAPP, services.GatewayInput(
        kind="http", enabled=True, base_url=gateway.url + "/send", body_template='{"to": "{phone}", "m": "{message}"}',
        token_header="Authorization", token_env="KINERJA_WA_TOKEN", kinds=["waiting", "approved"], per_minute=2))
    for n in range(5):
        notice(setup, "approved", n=n + 1, name="Penilai A")
    assert outbox.send_pending().sent == 2
    move(monkeypatch, 0.5)
    assert outbox.drain().sent == 0  # the two of this minute are spent
    move(monkeypatch, 1.1)
    assert outbox.drain().sent == 2
    assert len(gateway.received) == 4


def test_a_person_gets_at_most_the_daily_limit_and_the_rest_the_next_day(app, setup, gateway, monkeypatch):
    monkeypatch.setitem(app.config, "MESSAGES_PER_PERSON_DAY", 2)
    for n in range(3):
        notice(setup, "approved", n=n + 1, name="Penilai A")
    report = outbox.send_pending()
    assert (report.sent, report.deferred) == (2, 1)
    move(monkeypatch, 60 * 9)  # 01:00 the next day (WIB)
    assert outbox.drain().sent == 1


def test_opting_out_stops_queued_messages_and_new_ones(setup, gateway, monkeypatch):
    gateway.failures = ["500"]
    notice(setup)
    outbox.send_pending()
    services.save_contacts(setup, services.ContactInput(whatsapp_number="081234567890", whatsapp_opt_in=False))
    move(monkeypatch, 2)
    notice(setup, "approved", n=1, name="Penilai A")
    report = outbox.send_pending()
    assert (report.queued, report.sent, report.cancelled) == (0, 0, 1)
    assert [message.status for message in messages()] == [MessageStatus.CANCELLED]
    assert len(gateway.received) == 1


def test_kinds_not_chosen_and_people_not_opted_in_get_nothing(setup, gateway, org):
    notice(setup, "comment", name="Penilai A", day="1 Nov")
    notice(org.user(org.staff_a2))
    assert outbox.send_pending().queued == 0 and gateway.received == []


def test_without_its_token_the_gateway_holds_messages(setup, gateway, monkeypatch):
    monkeypatch.delenv("KINERJA_WA_TOKEN")
    notice(setup)
    assert outbox.send_pending().queued == 0
    monkeypatch.setenv("KINERJA_WA_TOKEN", "rahasia-123")
    assert outbox.send_pending().sent == 1


def test_cloud_api_gets_the_template_with_the_parameters_in_order(setup, gateway, org, monkeypatch):
    services.save_gateway(org.bkd_admin, Channel.WHATSAPP, services.GatewayInput(
        kind="cloud_api", enabled=True, base_url=gateway.url + "/v21.0", sender_id="1234567890",
        token_env="KINERJA_WA_TOKEN", kinds=["waiting"], per_minute=60))
    notice(setup)
    assert outbox.send_pending().sent == 1
    request = gateway.received[0]
    assert request["path"] == "/v21.0/1234567890/messages"
    assert request["headers"]["Authorization"] == "Bearer rahasia-123"
    assert json.loads(request["body"]) == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "6281234567890", "type": "template",
        "template": {"name": "kinerja_waiting", "language": {"code": "id"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "4"}, {"type": "text", "text": "3"}]}]}}
    assert messages()[0].provider_id == "wamid.1"


def test_telegram_sends_to_the_chat(setup, gateway, org, monkeypatch):
    monkeypatch.setenv("KINERJA_TG_TOKEN", "123:abc")
    services.save_gateway(org.bkd_admin, Channel.TELEGRAM, services.GatewayInput(
        kind="telegram", enabled=True, base_url=gateway.url, token_env="KINERJA_TG_TOKEN", kinds=["waiting"]))
    services.save_contacts(setup, services.ContactInput(whatsapp_number="081234567890", whatsapp_opt_in=False,
                                                        telegram_chat_id="987654321", telegram_opt_in=True))
    mark_verified(setup, Channel.TELEGRAM)
    notice(setup)
    assert outbox.send_pending().sent == 1
    request = gateway.received[0]
    assert request["path"] == "/bot123:abc/sendMessage"
    assert json.loads(request["body"])["chat_id"] == "987654321"


def test_form_gateway_gets_form_fields(setup, gateway, org):
    services.save_gateway(org.bkd_admin, Channel.WHATSAPP, services.GatewayInput(
        kind="http", enabled=True, base_url=gateway.url + "/send", body_format="form",
        body_template='{"phone": "{phone}", "text": "{message}"}', token_header="", kinds=["waiting"]))
    notice(setup)
    outbox.send_pending()
    assert gateway.received[0]["form"]["phone"] == "6281234567890"
    assert "Authorization" not in gateway.received[0]["headers"]


def test_the_profile_page_saves_the_number(client, auth, org, db):
    assert auth.login(org.staff_a.id_number).status_code == 302
    response = client.post("/profil/pesan", data={"whatsapp_number": "+62 813-1111-2222", "whatsapp_opt_in": "y"})
    assert response.status_code == 302
    contact = db.session.scalar(select(MessageContact))
    assert (contact.address, contact.opted_in) == ("6281311112222", True)
    page = client.post("/profil/pesan", data={"whatsapp_number": "021-555", "whatsapp_opt_in": "y"})
    assert "Isi nomor HP Indonesia" in page.get_data(as_text=True)


def test_the_log_page_shows_attempts_and_is_for_bkd(setup, gateway, client, auth, org):
    gateway.failures = ["500"]
    notice(setup)
    outbox.send_pending()
    assert auth.login(org.staff_a.id_number).status_code == 302
    assert client.get("/bkd/pesan/").status_code == 403
    auth.logout()
    assert auth.login(org.bkd_admin.username).status_code == 302
    page = client.get("/bkd/pesan/?status=queued").get_data(as_text=True)
    assert "HTTP 500: boom" in page and "6281234567890" in page and "Antre" in page
    assert "rahasia-123" not in client.get("/bkd/pesan/gateway/whatsapp").get_data(as_text=True)


def test_bkd_resends_a_failed_message_and_it_is_audited(setup, gateway, client, auth, org):
    gateway.failures = ["400"]
    notice(setup)
    outbox.send_pending()
    [message] = messages()
    assert auth.login(org.bkd_admin.username).status_code == 302
    assert client.post(f"/bkd/pesan/{message.id}/ulang").status_code == 302
    assert outbox.drain().sent == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "retry_message"))
    assert (entry.actor_id, entry.from_state, entry.to_state) == (org.bkd_admin.id, "failed", "queued")


def test_a_gateway_token_name_must_be_kinerjas(org):
    with pytest.raises(ValidationFailed) as error:
        services.save_gateway(org.bkd_admin, Channel.WHATSAPP, services.GatewayInput(
            kind="cloud_api", sender_id="1", token_env="SECRET_KEY", kinds=["waiting"]))
    assert error.value.field == "token_env"


def test_the_cron_command_sends_and_reports(app, setup, gateway):
    notice(setup)
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    assert "1 diantrekan, 1 terkirim" in result.output and len(gateway.received) == 1


def test_an_agency_admin_reads_their_agencys_part_of_the_log_and_no_other(client, auth, org, db):
    def message(employee, key: str, status: MessageStatus, error: str | None = None) -> OutboundMessage:
        row = OutboundMessage(key=key, user_id=org.user(employee).id, channel=Channel.WHATSAPP,
                              address=f"62812000{employee.id:05d}", kind="waiting", body=f"Kinerja: untuk {key}",
                              status=status, attempts=2 if error else 1, last_error=error)
        db.session.add(row)
        db.session.commit()
        return row

    mine = message(org.staff_a, "pesan-a", MessageStatus.FAILED, "gateway: device not connected")
    sent = message(org.appraiser_a, "pesan-a2", MessageStatus.SENT)
    theirs = message(org.staff_b, "pesan-b", MessageStatus.QUEUED, "HTTP 500: boom")
    a, b = org.agency_a.id, org.agency_b.id
    assert auth.login("admin.a").status_code == 302
    page = client.get(f"/opd/{a}/pesan/").get_data(as_text=True)
    assert mine.address in page and sent.address in page and theirs.address not in page
    page = client.get(f"/opd/{a}/pesan/?status=failed").get_data(as_text=True)
    assert mine.address in page and sent.address not in page
    page = client.get(f"/opd/{a}/pesan/{mine.id}").get_data(as_text=True)
    assert "Kinerja: untuk pesan-a" in page and "device not connected" in page
    assert client.get(f"/opd/{a}/pesan/{theirs.id}").status_code == 404  # B's message through A's page
    assert client.get(f"/opd/{b}/pesan/").status_code == 404
    assert client.get(f"/opd/{b}/pesan/{theirs.id}").status_code == 404
    assert client.get("/bkd/pesan/").status_code == 403
    auth.logout()
    assert auth.login(org.staff_a.id_number).status_code == 302
    assert client.get(f"/opd/{a}/pesan/").status_code == 404
    assert client.get(f"/opd/{a}/pesan/{mine.id}").status_code == 404
    auth.logout()
    assert auth.login(org.bkd_admin.username).status_code == 302
    page = client.get(f"/opd/{b}/pesan/").get_data(as_text=True)
    assert theirs.address in page and mine.address not in page
    assert client.get(f"/opd/{b}/pesan/{theirs.id}").status_code == 200
