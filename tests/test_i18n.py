"""Indonesian-first formatting of dates, times and numbers, and the language switch.

Requests here run in a fresh app context each, as in production: the `db` fixture keeps one pushed for the
whole test, and Flask-Babel caches the locale (and Flask-Login the user) on its `g`. Values needed from the
test's own session are read first and its transaction ended, since on SQLite it holds the write lock.
"""

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale, lazy_gettext
from sqlalchemy import select

from kinerja.i18n import format_date, format_datetime, format_number, plain_number
from kinerja.models import User
from tests.factories import PASSWORD

INDEPENDENCE_DAY = date(2026, 8, 17)
MORNING_UTC = datetime(2026, 8, 17, 1, 30, tzinfo=UTC)  # 08.30 in Jakarta


@pytest.mark.parametrize(
    ("locale", "call", "expected"),
    [
        ("id", lambda: format_date(INDEPENDENCE_DAY), "17 Agustus 2026"),
        ("en", lambda: format_date(INDEPENDENCE_DAY), "17 August 2026"),
        ("id", lambda: format_date(INDEPENDENCE_DAY, "medium"), "17 Agu 2026"),
        ("en", lambda: format_date(INDEPENDENCE_DAY, "medium"), "17 Aug 2026"),
        ("id", lambda: format_date(INDEPENDENCE_DAY, "short"), "17/08/26"),
        ("id", lambda: format_date(datetime(2026, 8, 16, 20, 0, tzinfo=UTC)), "17 Agustus 2026"),  # 03.00 WIB
        ("id", lambda: format_date(None), ""),
        ("id", lambda: format_number(1234.5), "1.234,5"),
        ("en", lambda: format_number(1234.5), "1,234.5"),
        ("id", lambda: format_number(1234567, digits=0), "1.234.567"),
        ("id", lambda: format_number(0.25, digits=2), "0,25"),
        ("id", lambda: format_number(80.0), "80"),
        ("id", lambda: format_number(None), ""),
        ("id", lambda: format_datetime(MORNING_UTC), "17 Agustus 2026 08.30 WIB"),
        ("en", lambda: format_datetime(MORNING_UTC), "17 August 2026 08.30 WIB"),
        ("id", lambda: format_datetime(MORNING_UTC, "Asia/Makassar"), "17 Agustus 2026 09.30 WITA"),
        ("id", lambda: format_datetime(MORNING_UTC, "Asia/Jayapura"), "17 Agustus 2026 10.30 WIT"),
        ("id", lambda: format_datetime(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)), "1 Januari 2027 00.00 WIB"),
        ("id", lambda: format_datetime(None), ""),
    ],
)
def test_formatting(app, locale, call, expected):
    with app.test_request_context(), force_locale(locale):
        assert call() == expected


@pytest.mark.parametrize(
    ("locale", "typed", "plain"),
    [
        ("id", "1,5", "1.5"), ("id", "1.234,5", "1234.5"), ("id", " 2,25 ", "2.25"), ("id", "12", "12"),
        ("id", "1.500", "1500"), ("id", "1.234.567", "1234567"),  # points grouping thousands
        ("id", "1.5", "1.5"), ("id", "2.25", "2.25"),  # a decimal point typed by habit
        ("id", "1.2.3", "1.2.3"), ("id", "abc", "abc"),  # left for the field to refuse
        ("en", "1,234.5", "1234.5"), ("en", "1.5", "1.5"),
    ],
)
def test_numbers_typed_in_the_readers_language(app, locale, typed, plain):
    with app.test_request_context(), force_locale(locale):
        assert plain_number(typed) == plain


def test_indonesian_is_the_default_locale(app):
    with app.test_request_context():
        assert format_date(INDEPENDENCE_DAY) == "17 Agustus 2026"
        assert format_number(1234.5) == "1.234,5"


def test_sign_in_page_is_indonesian_by_default(app):
    with app.app_context():
        page = app.test_client().get("/masuk").get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Masuk" in page and "Kata sandi" in page
    assert "Password" not in page


@pytest.mark.parametrize(
    ("language", "expected_date", "expected_number"),
    [("en", "17 August 2026", "1,234.5"), ("id", "17 Agustus 2026", "1.234,5"), ("fr", "17 Agustus 2026", "1.234,5")],
)
def test_posting_a_language_switches_the_formats(app, language, expected_date, expected_number):
    client = app.test_client()
    with app.app_context():
        assert client.post("/bahasa", data={"language": language, "next": "/masuk"}).status_code == 302
    with app.app_context(), client:
        client.get("/masuk")  # its request context, with the browser's session, stays pushed inside `with client`
        assert format_date(INDEPENDENCE_DAY) == expected_date
        assert format_number(1234.5) == expected_number


def test_a_signed_in_users_choice_is_stored_on_the_account(app, auth, org, db):
    nip, employee_id = org.staff_a.id_number, org.staff_a.id
    db.session.rollback()
    with app.app_context():
        assert auth.login(nip).status_code == 302
    with app.app_context():
        assert auth.client.post("/bahasa", data={"language": "en"}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(User.locale).where(User.employee_id == employee_id)) == "en"
    db.session.rollback()

    # Another browser: the account's language follows the user at sign-in.
    browser = app.test_client()
    with app.app_context():
        assert browser.post("/masuk", data={"identifier": nip, "password": PASSWORD}).status_code == 302
    with app.app_context():
        page = browser.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page


def test_an_unknown_language_is_not_stored(app, auth, org, db):
    nip, employee_id = org.staff_a.id_number, org.staff_a.id
    db.session.rollback()
    with app.app_context():
        assert auth.login(nip).status_code == 302
    with app.app_context():
        auth.client.post("/bahasa", data={"language": "fr"})
    db.session.expire_all()
    assert db.session.scalar(select(User.locale).where(User.employee_id == employee_id)) is None
    db.session.rollback()


def test_translations_kept_for_a_request_follow_forced_languages_and_the_next_request(app):
    """The translations are looked up once per request (kinerja.i18n.RequestDomain), yet a document forced into
    Indonesian inside an English request, and the next request in another language, are translated right."""
    from flask import session
    from flask_babel import gettext

    with app.test_request_context("/"):
        session["locale"] = "en"
        assert gettext("Buka menu") == "Open menu"
        with force_locale("id"):
            assert gettext("Buka menu") == "Buka menu"
        assert gettext("Buka menu") == "Open menu"
        assert format_date(date(2026, 8, 17)) == "17 August 2026"
    with app.test_request_context("/"):
        assert gettext("Buka menu") == "Buka menu"
        assert format_date(date(2026, 8, 17)) == "17 Agustus 2026"
        assert format_number(1234.5) == "1.234,5"


def test_templates_translate_with_the_kept_translations_and_follow_forced_languages(app):
    """The templates' `_` reads the request's kept translations (kinerja.i18n.request_translations)."""
    from flask import render_template_string, session

    with app.test_request_context("/"):
        session["locale"] = "en"
        assert render_template_string("{{ _('Buka menu') }}") == "Open menu"
        with force_locale("id"):
            assert render_template_string("{{ _('Buka menu') }}") == "Buka menu"
        assert render_template_string("{{ _('Buka menu') }}") == "Open menu"
        assert render_template_string("{{ ngettext('%(num)s x', '%(num)s xs', 2) }}") == "2 xs"
    with app.test_request_context("/"):
        assert render_template_string("{{ _('Buka menu') }}") == "Buka menu"


def test_templates_gettext_formats_and_escapes_as_jinjas_newstyle_gettext(app):
    """`_` is bound to kinerja.i18n.template_gettext directly: the translation is a format string (`%%` is a
    percent sign even without variables), the variables are escaped into it when autoescaping, not otherwise."""
    from flask import render_template_string

    with app.test_request_context("/"):
        assert render_template_string("{{ _('%(n)s menunggu', n='<b>') }}") == "&lt;b&gt; menunggu"
        assert render_template_string("{{ _('100%% hadir') }}") == "100% hadir"
        assert render_template_string("{{ gettext('Buka menu') }}") == "Buka menu"
        assert render_template_string(
            "{% autoescape false %}{{ _('%(n)s menunggu', n='<b>') }}{% endautoescape %}") == "<b> menunggu"
        assert render_template_string("{{ ngettext('%(num)s x', '%(num)s xs', 1, num='<i>') }}") == "&lt;i&gt; x"
        assert app.jinja_env.globals["_"] is app.jinja_env.globals["gettext"]


def test_templates_gettext_in_a_loop_does_not_copy_the_pages_context(app, monkeypatch):
    """Jinja hands a function that asks for the template's context, called in a loop, a copy of every variable of
    the page; `_` asks only for the evaluation context (autoescaping), so a list's rows make no copies."""
    from flask import render_template_string
    from jinja2.runtime import Context

    copies = []
    derived = Context.derived
    monkeypatch.setattr(Context, "derived", lambda self, *args: copies.append(self.name) or derived(self, *args))
    with app.test_request_context("/"):
        html = render_template_string(
            "{% for name in names %}{% set shown = name %}{{ _('Pilih %(name)s', name=shown) }}; "
            "{{ ngettext('%(num)s kegiatan', '%(num)s kegiatan', loop.index) }}; {% endfor %}", names=["<a>", "b"])
    assert html == "Pilih &lt;a&gt;; 1 kegiatan; Pilih b; 2 kegiatan; "
    assert copies == []


@pytest.mark.parametrize("language", ["id", "en"])
def test_wtforms_own_messages_come_from_a_catalogue_loaded_once(app, auth, org, db, language, monkeypatch):
    """WTForms' built-in messages (a time it cannot read) as Flask-WTF gives them, from a catalogue kept per
    process instead of read from disk in every request that builds a form."""
    from babel.support import Translations
    from wtforms.i18n import messages_path

    from kinerja.i18n import wtforms_catalogue
    from tests.factories import FIXED_NOW, freeze_now

    freeze_now(monkeypatch)
    nip = org.staff_a.id_number
    db.session.commit()
    client = app.test_client()
    client.post("/bahasa", data={"language": language})
    assert client.post("/masuk", data={"identifier": nip, "password": PASSWORD}).status_code == 302
    expected = Translations.load(messages_path(), [language], domain="wtforms").ugettext("Not a valid time value.")
    form = {"start_time": "25.99", "end_time": "09:00", "description": "Rapat", "quantity": "1", "unit": "kali",
            "work_mode": "WFO", "category": "tugas_utama", "indicator_id": "0"}
    wtforms_catalogue.cache_clear()
    loads = []
    real_load = Translations.load.__func__
    monkeypatch.setattr(Translations, "load", classmethod(
        lambda cls, *args, **kwargs: loads.append(kwargs.get("domain")) or real_load(cls, *args, **kwargs)))
    for _attempt in range(3):
        page = client.post(f"/kegiatan/{FIXED_NOW.date():%Y-%m-%d}", data=form).get_data(as_text=True)
        assert expected in page
    assert loads.count("wtforms") == 1


def test_labels_are_translated_once_per_language_and_follow_forced_languages(app):
    """kinerja.i18n.translated keeps each label per kept translations: the right language every time, another
    language forced inside a request, and the plain lazy text outside one."""
    from flask import session

    from kinerja.i18n import translated
    from kinerja.models import ActivityStatus

    assert ActivityStatus.APPROVED.label == "Disetujui"  # no request: Flask-Babel's own lookup
    with app.test_request_context("/"):
        assert ActivityStatus.APPROVED.label == "Disetujui"
        temporary = lazy_gettext("Disetujui")
        assert translated(temporary) == "Disetujui"
    with app.test_request_context("/"):
        session["locale"] = "en"
        assert ActivityStatus.APPROVED.label == "Approved"
        with force_locale("id"):
            assert ActivityStatus.APPROVED.label == "Disetujui"
        assert ActivityStatus.APPROVED.label == "Approved"
    with app.test_request_context("/"):
        assert ActivityStatus.APPROVED.label == "Disetujui"
