"""The layout's fragments rendered once per process (kinerja/templating.py): what is kept follows its key (the
page, the language, the navigation of the person's roles), and what is the request's or the user's own (the
name, the CSRF token, the unread count) is never kept."""

from __future__ import annotations

import re

from kinerja.models import Notification
from tests.factories import PASSWORD


def fragments(app) -> dict:
    return app.jinja_env.fragment_cache.fragments


def active_link(page: str) -> str:
    return re.search(r'<a class="nav-link active" href="([^"]+)"', page).group(1)


def csrf_tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', page))


def test_the_highlighted_entry_follows_the_page(client, auth, org, app):
    auth.login(org.staff_a.id_number)
    home = client.get("/").get_data(as_text=True)
    month = client.get("/kegiatan/bulan", follow_redirects=True).get_data(as_text=True)
    home_again = client.get("/").get_data(as_text=True)

    assert fragments(app), "the layout keeps its fragments"
    assert active_link(home) == "/" and active_link(home_again) == "/"
    assert active_link(month) == "/kegiatan/bulan"


def test_each_person_gets_their_own_name_token_count_and_menu(app, org, db):
    db.session.add(Notification(user_id=org.user(org.staff_a).id, kind="activity_returned", params="{}",
                                link="/kegiatan/"))
    db.session.commit()
    pages = {}
    for who, identifier in (("staff", org.staff_a.id_number), ("bkd", "admin.bkd"),
                            ("staff again", org.staff_a.id_number)):
        browser = app.test_client()
        browser.post("/masuk", data={"identifier": identifier, "password": PASSWORD})
        pages[who] = browser.get("/").get_data(as_text=True)

    assert org.staff_a.name in pages["staff"] and org.staff_a.name not in pages["bkd"]
    assert 'class="badge text-bg-danger">1<' in pages["staff"] and "text-bg-danger" not in pages["bkd"]
    assert 'href="/admin/dasbor"' in pages["bkd"] and 'href="/admin/dasbor"' not in pages["staff"]
    assert csrf_tokens(pages["staff"]) and csrf_tokens(pages["staff"]).isdisjoint(csrf_tokens(pages["staff again"]))


def test_the_language_changes_the_fragments(client, auth, org):
    auth.login(org.staff_a.id_number)
    indonesian = client.get("/").get_data(as_text=True)
    client.post("/bahasa", data={"language": "en", "next": "/"})
    english = client.get("/").get_data(as_text=True)

    assert 'aria-label="Buka menu"' in indonesian and 'aria-label="Open menu"' in english
    assert "Portal e-kinerja pemerintah daerah" in indonesian and "Portal e-kinerja pemerintah daerah" not in english
