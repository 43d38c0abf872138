"""The installable app: the manifest, the service worker and the offline page are the same for everyone and never
stored with a user's data; activities kept offline are sent one request each, once per client token."""

from __future__ import annotations

import io
import json
import re
import shutil
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import select

from kinerja.extensions import db
from kinerja.models import Activity, User
from tests.factories import PASSWORD, ActivityFactory, MonthLockFactory, activity_form, freeze_now

TODAY = date(2026, 11, 18)
TUE = date(2026, 11, 17)


@pytest.fixture()
def today(monkeypatch):
    freeze_now(monkeypatch, TODAY)
    return TODAY


def settings_of(worker: str) -> dict:
    """The settings the server writes at the top of the service worker."""
    return json.loads(re.match(r"self\.KINERJA_SW = (\{.*?\});\n", worker).group(1))


def test_the_manifest_makes_kinerja_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "Kinerja" and manifest["display"] == "standalone"
    assert manifest["start_url"] == "/" and manifest["theme_color"] == "#0f5c8c"
    assert "kegiatan harian" in manifest["description"]  # Indonesian by default
    sizes = {(icon["sizes"], icon["purpose"]): icon["src"] for icon in manifest["icons"]}
    assert set(sizes) == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}
    for (size, _purpose), src in sizes.items():
        icon = client.get(src)
        assert icon.status_code == 200 and icon.mimetype == "image/png"
        width = int(size.split("x")[0])
        with Image.open(io.BytesIO(icon.get_data())) as image:
            assert image.size == (width, width)


def test_every_page_links_the_manifest_and_the_theme_colour(client, auth, org):
    for page in (client.get("/masuk").get_data(as_text=True),
                 (auth.login(org.staff_a.id_number), client.get("/", follow_redirects=True))[1].get_data(as_text=True)):
        assert '<link rel="manifest" href="/manifest.webmanifest">' in page
        assert '<meta name="theme-color" content="#0f5c8c">' in page
        assert re.search(r'src="/static/js/pwa[^"]*\.js[^"]*" data-worker="/service-worker.js"', page)


def test_the_manifest_speaks_the_chosen_language(client, auth, org):
    auth.login(org.staff_a.id_number)
    client.post("/bahasa", data={"language": "en", "next": "/"})
    assert client.get("/manifest.webmanifest").get_json(force=True)["lang"] == "en"


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(client):
    response = client.get("/service-worker.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "addEventListener(\"fetch\"" in response.get_data(as_text=True)


def test_the_service_worker_precaches_the_layout_as_the_pages_address_it(client, auth, org):
    settings = settings_of(client.get("/service-worker.js").get_data(as_text=True))
    auth.login(org.staff_a.id_number)
    page = client.get(f"/kegiatan/{TUE.isoformat()}").get_data(as_text=True)
    used = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page)) - {"/static/img/favicon.svg"}
    assert used <= set(settings["precache"])  # every script and style of the day page opens offline
    assert "/luring" in settings["precache"]
    for url in settings["precache"]:
        assert client.get(url).status_code == 200, url
    assert settings["offlinePage"] == "/luring" and settings["dayHome"] == "/kegiatan/"
    assert re.search(settings["dayPage"].replace("\\d", "[0-9]"), "/kegiatan/2026-11-17")
    assert not re.search(settings["dayPage"].replace("\\d", "[0-9]"), "/kegiatan/2026-11-17/salin")


def test_the_service_worker_changes_when_a_precached_file_changes(app, client, monkeypatch, tmp_path):
    before = settings_of(client.get("/service-worker.js").get_data(as_text=True))["version"]
    assert settings_of(client.get("/service-worker.js").get_data(as_text=True))["version"] == before
    copy = tmp_path / "static"
    shutil.copytree(app.static_folder, copy)
    (copy / "css" / "app.css").write_text((copy / "css" / "app.css").read_text() + "\n/* changed */\n")
    monkeypatch.setattr(app, "static_folder", str(copy))
    assert settings_of(client.get("/service-worker.js").get_data(as_text=True))["version"] != before


def test_the_pwa_files_hold_no_user_data(client, auth, org):
    anonymous = {path: client.get(path).get_data() for path in ("/service-worker.js", "/manifest.webmanifest",
                                                                "/luring")}
    auth.login(org.staff_a.id_number)
    for path, body in anonymous.items():
        signed_in = client.get(path)
        assert signed_in.status_code == 200 and signed_in.get_data() == body, path
        text = body.decode()
        assert org.staff_a.name not in text and org.staff_a.id_number not in text and "csrf" not in text.lower()


def test_a_pwa_file_fetched_during_sign_in_never_signs_the_person_out(app, auth, org):
    """The service worker fetches /luring (and the browser the manifest and the worker) on its own, with whatever
    cookie the browser held when it asked: answered after a sign-in, a Set-Cookie of that old session would replace
    the new one. Seen in Chromium on a loaded machine: signed in, then sent back to the sign-in page."""
    before = app.test_client()
    before.get("/masuk")  # the anonymous session of the sign-in form
    stale_cookie = before.get_cookie("session").value
    fresh = app.test_client()
    fresh.set_cookie("session", stale_cookie)
    assert fresh.post("/masuk", data={"identifier": org.staff_a.id_number, "password": PASSWORD}).status_code == 302
    for path in ("/service-worker.js", "/manifest.webmanifest", "/luring"):
        late = app.test_client()
        late.set_cookie("session", stale_cookie)
        response = late.get(path)
        assert response.status_code == 200 and not response.headers.getlist("Set-Cookie"), path
    assert fresh.get("/").status_code == 200  # still signed in


def test_the_pwa_files_neither_end_nor_extend_an_idle_session(app, client, auth, org, monkeypatch):
    auth.login(org.staff_a.id_number)
    with client.session_transaction() as session:
        session["last_seen"] = 0  # idle for decades
    for path in ("/service-worker.js", "/manifest.webmanifest", "/luring"):
        assert client.get(path).status_code == 200, path  # no redirect to the sign-in page
    with client.session_transaction() as session:
        assert session["last_seen"] == 0 and "_user_id" in session
    assert client.get("/").headers["Location"].startswith("/masuk")  # the next page does end it


def test_a_first_sign_in_user_still_gets_the_service_worker(client, auth, org):
    user = db.session.scalar(select(User).where(User.employee_id == org.staff_a.id))
    user.must_change_password = True
    db.session.commit()
    auth.login(org.staff_a.id_number)
    assert client.get("/service-worker.js").status_code == 200


def test_the_offline_page_says_what_works_without_a_connection(client):
    page = client.get("/luring")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-cache"
    text = page.get_data(as_text=True)
    assert "Tidak ada koneksi" in text and "presensi tidak pernah dicatat saat luring" in text
    assert 'href="/kegiatan/"' in text and "<script" not in text


# --- sending what was kept offline -----------------------------------------------------------------------------


def send(client, day=TUE, **fields):
    return client.post(f"/kegiatan/{day.isoformat()}/kirim", data=activity_form(**fields))


def stored(employee) -> list[Activity]:
    return list(db.session.scalars(select(Activity).where(Activity.employee_id == employee.id)))


def test_the_queue_state_names_the_signed_in_account(client, auth, org):
    assert client.get("/kegiatan/antrean").headers["Location"].startswith("/masuk")
    auth.login(org.staff_a.id_number)
    state = client.get("/kegiatan/antrean")
    assert state.headers["Cache-Control"] == "no-store"
    user = db.session.scalar(select(User).where(User.employee_id == org.staff_a.id))
    assert state.get_json()["user"] == str(user.id) and state.get_json()["csrf_token"]


def test_a_kept_activity_is_saved_once_however_often_it_is_sent(client, auth, org, today):
    auth.login(org.staff_a.id_number)
    token = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f"
    first = send(client, client_token=token, description="Rapat koordinasi luring")
    again = send(client, client_token=token, description="Rapat koordinasi luring")
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json() == again.get_json() == {"id": first.get_json()["id"], "day": TUE.isoformat()}
    assert [(a.description, a.client_token) for a in stored(org.staff_a)] == [("Rapat koordinasi luring", token)]


def test_another_accounts_token_files_its_own_activity_and_reveals_nothing(client, auth, org, today):
    token = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f"
    auth.login(org.staff_a.id_number)
    mine = send(client, client_token=token, description="Milik pegawai A").get_json()
    auth.logout()
    auth.login(org.staff_b.id_number)
    theirs = send(client, client_token=token, description="Milik pegawai B")
    assert theirs.status_code == 201 and theirs.get_json()["id"] != mine["id"]
    assert "Milik pegawai A" not in theirs.get_data(as_text=True)
    assert [a.description for a in stored(org.staff_a)] == ["Milik pegawai A"]
    assert [a.description for a in stored(org.staff_b)] == ["Milik pegawai B"]


def test_a_refused_activity_comes_back_with_the_servers_reason(client, auth, org, today):
    auth.login(org.staff_a.id_number)
    ActivityFactory(employee=org.staff_a, activity_date=TUE, description="Diisi dari laptop")
    db.session.commit()
    refused = send(client, start="08:30", end="09:30")
    assert refused.status_code == 422
    answer = refused.get_json()
    assert answer["message"].startswith("Waktu bertabrakan dengan kegiatan 08.00–09.00")
    assert set(answer["fields"]) == {"start_time"}
    assert len(stored(org.staff_a)) == 1


def test_a_field_the_form_rejects_is_named_in_the_reason(client, auth, org, today):
    auth.login(org.staff_a.id_number)
    refused = send(client, description="  ")
    assert refused.status_code == 422
    assert refused.get_json()["message"] == "Uraian kegiatan: Uraian kegiatan wajib diisi."
    assert stored(org.staff_a) == []


def test_a_locked_month_refuses_what_was_kept_before_the_lock(client, auth, org, today):
    MonthLockFactory(agency_id=org.agency_a.id, year=2026, month=11, locked=True, reason="Rekap TPP")
    db.session.commit()
    auth.login(org.staff_a.id_number)
    refused = send(client)
    assert refused.status_code == 422 and "ditutup" in refused.get_json()["message"]
    assert stored(org.staff_a) == []


def test_sending_without_a_token_is_refused(client, auth, org, today):
    auth.login(org.staff_a.id_number)
    response = client.post(f"/kegiatan/{TUE.isoformat()}/kirim", data=activity_form(client_token=""))
    assert response.status_code == 400 and stored(org.staff_a) == []


def test_sending_needs_the_csrf_token(app, client, auth, org, today, monkeypatch):
    auth.login(org.staff_a.id_number)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert send(client).status_code == 400
    token = client.get("/kegiatan/antrean").get_json()["csrf_token"]
    sent = client.post(f"/kegiatan/{TUE.isoformat()}/kirim", data=activity_form(), headers={"X-CSRFToken": token})
    assert sent.status_code == 201 and len(stored(org.staff_a)) == 1
