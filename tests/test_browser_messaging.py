"""The messaging pages added for issue 20's leftovers on a 360-px phone and a desktop: a person's number waiting
for its verification code, and an agency admin's part of the delivery log with one message; nothing wider than
the screen and no serious axe-core violation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kinerja import clock
from kinerja.extensions import db as _db
from kinerja.models import Channel, MessageContact, MessageStatus, OutboundMessage
from tests.browser import assert_fits_width, axe_violations, screenshot
from tests.test_browser_foundation import sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture()
def messages(org, db):
    staff = org.user(org.staff_a)
    _db.session.add(MessageContact(user_id=staff.id, channel=Channel.WHATSAPP, address="6281234567890",
                                   opted_in=True, opted_in_at=clock.utcnow(), code_hash="0" * 64,
                                   code_expires_at=clock.utcnow() + timedelta(minutes=10), code_attempts=0,
                                   codes_sent=1))
    message = OutboundMessage(key="browser-1", user_id=staff.id, channel=Channel.WHATSAPP, address="6281234567890",
                              kind="waiting", body="Kinerja: 4 kegiatan bawahan menunggu pemeriksaan Anda lebih "
                              "dari 3 hari.\nhttps://kinerja.contoh.go.id/pemeriksaan/", status=MessageStatus.FAILED,
                              attempts=12, last_error="gateway: device not connected")
    _db.session.add(message)
    _db.session.commit()
    ids = (message.id, org.agency_a.id, org.staff_a.id_number)
    _db.session.close()  # no transaction left open: the live server writes (sign-in)
    return ids


@pytest.mark.parametrize("width", [360, 1280])
def test_verification_and_agency_log_pages_fit_and_pass_axe(browser, messages, live_server, width):
    message_id, agency_id, staff_nip = messages
    for identifier, checks in (
        (staff_nip, [("/profil/pesan", "Kirim kode", "messaging-verify")]),
        ("admin.a", [(f"/opd/{agency_id}/pesan/", "device not connected", "messaging-agency-log"),
                     (f"/opd/{agency_id}/pesan/{message_id}", "menunggu pemeriksaan", "messaging-agency-message")]),
    ):
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="id-ID", bypass_csp=True,
                                      timezone_id="Asia/Jakarta")
        page = context.new_page()
        try:
            sign_in(page, live_server, identifier)
            for path, text, name in checks:
                page.goto(f"{live_server}{path}")
                assert page.get_by_text(text).first.is_visible(), path
                assert_fits_width(page)
                assert axe_violations(page) == [], path
                screenshot(page, f"{name}-{width}")
        finally:
            context.close()
