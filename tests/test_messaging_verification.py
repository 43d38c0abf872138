"""A person's number is verified before reminders go to it: a one-time code sent through the local gateway (a real
HTTP server) and typed back on /profil/pesan, with limits on wrong attempts, resends and age."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from kinerja.extensions import db
from kinerja.messaging import outbox, services, verification
from kinerja.models import Channel, MessageContact, MessageStatus
from tests.factories import FIXED_NOW, freeze_now
from tests.test_messaging import Gateway, messages, notice


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
def staff(app, org, gateway, monkeypatch, client, auth):
    """A live local WhatsApp gateway; Staf A signed in, opted in at 0812-3456-7890, not verified yet."""
    freeze_now(monkeypatch)
    monkeypatch.setenv("KINERJA_WA_TOKEN", "rahasia-123")
    monkeypatch.setitem(app.config, "MESSAGE_TIMEOUT_SECONDS", 0.3)
    services.save_gateway(org.bkd_admin, Channel.WHATSAPP, services.GatewayInput(
        kind="http", enabled=True, base_url=gateway.url + "/send",
        body_template='{"target": "{phone}", "message": "{message}"}', token_header="Authorization",
        token_env="KINERJA_WA_TOKEN", kinds=["waiting"], per_minute=60))
    assert auth.login(org.staff_a.id_number).status_code == 302
    response = client.post("/profil/pesan", data={"whatsapp_number": "0812-3456-7890", "whatsapp_opt_in": "y"})
    assert response.status_code == 302
    return org.user(org.staff_a)


def contact() -> MessageContact:
    db.session.expire_all()
    return db.session.scalar(select(MessageContact))


def ask_code(client, gateway: Gateway) -> str:
    """Ask for a code on the page; the code the gateway carried."""
    page = client.post("/profil/pesan/kode", data={"channel": "whatsapp"}, follow_redirects=True)
    assert "Kode verifikasi dikirim" in page.get_data(as_text=True)
    body = json.loads(gateway.received[-1]["body"])
    return re.search(r"\b(\d{6})\b", body["message"]).group(1)


def type_code(client, code: str) -> str:
    return client.post("/profil/pesan/verifikasi", data={"channel": "whatsapp", "code": code},
                       follow_redirects=True).get_data(as_text=True)


@pytest.fixture()
def move(monkeypatch, auth, org):
    """Move the clock, and sign in again (an idle session ends)."""

    def moved(**delta):
        freeze_now(monkeypatch, FIXED_NOW + timedelta(**delta))
        auth.logout()
        assert auth.login(org.staff_a.id_number).status_code == 302

    return moved


def test_nothing_goes_to_an_unverified_number_until_the_code_is_typed_back(staff, gateway, client):
    notice(staff)
    assert outbox.send_pending().queued == 0 and gateway.received == []
    page = client.get("/profil/pesan").get_data(as_text=True)
    assert "Belum diverifikasi" in page and "Kirim kode" in page
    code = ask_code(client, gateway)
    sent = json.loads(gateway.received[-1]["body"])
    assert sent["target"] == "6281234567890" and f"Kode verifikasi nomor Anda di Kinerja: {code}" in sent["message"]
    stored = contact()
    assert stored.code_hash and code not in stored.code_hash and stored.verified_at is None
    wrong = "000000" if code != "000000" else "111111"
    assert "Kode salah. Sisa 4 percobaan." in type_code(client, wrong)
    assert "terverifikasi" in type_code(client, code)
    assert contact().verified_at is not None and contact().code_hash is None
    notice(staff)
    report = outbox.send_pending()  # the reminder held back and the new one
    assert report.sent == 2 and [message.status for message in messages()] == [MessageStatus.SENT] * 2
    assert {message.address for message in messages()} == {"6281234567890"}
    assert "Terverifikasi sejak" in client.get("/profil/pesan").get_data(as_text=True)


def test_five_wrong_codes_void_the_code(staff, gateway, client):
    code = ask_code(client, gateway)
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(4):
        type_code(client, wrong)
    assert "tidak berlaku lagi" in type_code(client, wrong)
    assert "Tidak ada kode yang berlaku" in type_code(client, code)
    assert contact().verified_at is None


def test_a_code_expires_and_resends_are_limited(staff, gateway, client, move):
    code = ask_code(client, gateway)
    page = client.post("/profil/pesan/kode", data={"channel": "whatsapp"}, follow_redirects=True)
    assert "Tunggu satu menit" in page.get_data(as_text=True) and len(gateway.received) == 1
    move(minutes=11)
    assert "Tidak ada kode yang berlaku" in type_code(client, code)
    for minute in range(12, 16):  # four more codes: five today
        move(minutes=minute)
        ask_code(client, gateway)
    move(minutes=20)
    page = client.post("/profil/pesan/kode", data={"channel": "whatsapp"}, follow_redirects=True)
    assert "Coba lagi besok" in page.get_data(as_text=True) and len(gateway.received) == 5
    move(hours=24)
    assert "terverifikasi" in type_code(client, ask_code(client, gateway))


def test_a_gateway_failure_sends_no_code_and_a_new_number_is_verified_anew(staff, gateway, client, move):
    gateway.failures = ["500"]
    page = client.post("/profil/pesan/kode", data={"channel": "whatsapp"}, follow_redirects=True)
    assert "tidak dapat dikirim" in page.get_data(as_text=True) and contact().code_hash is None
    move(minutes=2)
    assert "terverifikasi" in type_code(client, ask_code(client, gateway))
    client.post("/profil/pesan", data={"whatsapp_number": "0813-1111-2222", "whatsapp_opt_in": "y"})
    assert contact().address == "6281311112222" and contact().verified_at is None
    notice(staff)
    assert outbox.send_pending().queued == 0


def test_a_code_is_only_for_ones_own_saved_number_and_needs_the_form_token(staff, gateway, client, app, auth, org,
                                                                            monkeypatch):
    page = client.post("/profil/pesan/kode", data={"channel": "telegram"}, follow_redirects=True)
    assert "Simpan nomor atau ID lebih dulu" in page.get_data(as_text=True) and gateway.received == []
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/profil/pesan/kode", data={"channel": "whatsapp"}).status_code in (302, 400)
    assert gateway.received == []


def test_the_cloud_api_sends_the_code_as_the_verification_template(staff, gateway, client, org):
    services.save_gateway(org.bkd_admin, Channel.WHATSAPP, services.GatewayInput(
        kind="cloud_api", enabled=True, base_url=gateway.url + "/v21.0", sender_id="1234567890",
        token_env="KINERJA_WA_TOKEN", kinds=["waiting"], per_minute=60))
    client.post("/profil/pesan/kode", data={"channel": "whatsapp"})
    template = json.loads(gateway.received[-1]["body"])["template"]
    assert template["name"] == "kinerja_verification"
    code = template["components"][0]["parameters"][0]["text"]
    assert template["components"][0]["parameters"][1]["text"] == str(verification.CODE_MINUTES)
    assert "terverifikasi" in type_code(client, code)
