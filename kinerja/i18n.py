"""Language choice and Indonesian-first formatting of dates, times and numbers."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as babel_format_decimal
from babel.numbers import get_decimal_symbol
from babel.support import Translations
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Domain, get_locale, get_translations
from flask_babel import _get_current_context as babel_context
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape
from wtforms.i18n import messages_path

from kinerja import clock

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def select_locale() -> str:
    """The language chosen in this session (copied from the account at sign-in), else Indonesian.

    It never touches the database, so even a page saying the database is down can be translated.
    """
    languages = current_app.config["LANGUAGES"]
    if has_request_context() and request.path.startswith("/api/"):  # the JSON API has no session: the caller says
        return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale") if has_request_context() else None
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class RequestDomain(Domain):
    """Flask-Babel's message domain, keeping the translations it found in the context's `babel_translations`
    (the attribute Flask-Babel's own `refresh` and `force_locale` clear and restore) instead of looking up the
    locale and its catalogue again for every string: a page translates a hundred strings or more. It reads the
    context through Flask-Babel's `_get_current_context` (pinned in requirements/lock.txt);
    tests/test_i18n.py fails if forced languages or the next request stop being translated right."""

    def get_translations(self):
        translations = kept_translations()
        if translations is None:
            context = babel_context()
            translations = super().get_translations()
            if context is not None:
                context.babel_translations = translations
        return translations


def kept_translations():
    """The translations RequestDomain keeps for this context, or None: one lookup of `g` instead of the six of
    Flask-Babel's own path, for the hundred strings a page translates."""
    try:
        context = g.get("_flask_babel")
    except RuntimeError:  # no application context
        return None
    return getattr(context, "babel_translations", None)


@lru_cache(maxsize=8)
def wtforms_catalogue(locale: str):
    """WTForms' own messages in a language (NullTranslations where WTForms has none, as for Indonesian)."""
    return Translations.load(messages_path(), [locale], domain="wtforms")


class WtformsTranslations:
    """What Flask-WTF asks for WTForms' built-in messages, each language's catalogue loaded once per process:
    Flask-WTF loads it from disk again in every request that builds a form (`request.wtforms_translations`, the
    attribute it keeps it in, pinned in requirements/lock.txt; tests/test_i18n.py checks the messages)."""

    def ugettext(self, string: str) -> str:
        return wtforms_catalogue(str(get_locale())).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


WTFORMS_TRANSLATIONS = WtformsTranslations()


def request_translations():
    """The current translations, for the templates' `_` (`kept_translations`, else Flask-Babel's lookup)."""
    translations = kept_translations()
    return translations if translations is not None else get_translations()


MAX_LABELS = 4096
_labels: dict[tuple[object, int], tuple[object, str]] = {}


def translated(message) -> str:
    """A label made with `lazy_gettext` (an enum's label, a constant) in the current language, translated once
    per process and language: `str()` of a lazy string looks up Flask-Babel's domain, context and catalogue on
    every call, and a month page shows ninety status labels. Keyed by the kept translations (another language,
    or one forced for an e-mail, is another key); the entry holds the message so its id is never reused."""
    translations = kept_translations()
    if translations is None:  # outside a request: no kept translations to key on
        return str(message)
    key = (translations, id(message))
    entry = _labels.get(key)
    if entry is None or entry[0] is not message:
        if len(_labels) >= MAX_LABELS:
            _labels.clear()
        entry = _labels[key] = (message, str(message))
    return entry[1]


@pass_eval_context
def template_gettext(eval_context: EvalContext, string: str, /, **variables) -> str:
    """The templates' `_` and `gettext`: what Jinja's newstyle gettext does (the translation is a format string,
    escaped when autoescaping, its variables escaped into it), in one call instead of the three of Jinja's alias,
    its wrapper and the translation function: a list of a hundred people translates four strings a row. It takes
    the evaluation context, all it needs, not the template's: Jinja gives a function that asks for the context,
    when called inside a loop, a copy of every variable of the page (under the profiler, a fifth of the time
    the inbox spent on its rows)."""
    return formatted(eval_context, request_translations().ugettext(string), variables)


@pass_eval_context
def template_ngettext(eval_context: EvalContext, singular: str, plural: str, num: int, /, **variables) -> str:
    variables.setdefault("num", num)
    return formatted(eval_context, request_translations().ungettext(singular, plural, num), variables)


NUMBERS = (int, float, Decimal)


def formatted(eval_context: EvalContext, text: str, variables: dict) -> str:
    """`text % variables`, with the variables escaped into it when autoescaping: the result of Markup's `%`
    (numbers as they are, anything else escaped) at half its cost, which wraps every value in a helper object."""
    if not eval_context.autoescape:
        return text % variables
    escaped = {name: value if isinstance(value, NUMBERS) else escape(value) for name, value in variables.items()}
    return Markup(text % escaped)  # noqa: S704 (the catalogue's text, as Jinja takes it; every value escaped)


DATE_PATTERNS = {"long": "d MMMM y", "medium": "d MMM y", "short": "dd/MM/yy"}


@lru_cache(maxsize=4096)
def _formatted_date(value: date, pattern: str, locale: str) -> str:
    return babel_format_date(value, pattern, locale=locale)


def format_date(value: date | datetime | None, fmt: str = "long") -> str:
    """'17 Agustus 2026' (long), '17 Agu 2026' (medium) or '17/08/26' (short) in the current language (a page
    lists the same days many times: each day is formatted once per process)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(clock.zone()).date() if value.tzinfo else value.date()
    return _formatted_date(value, DATE_PATTERNS.get(fmt, fmt), str(get_locale()))


def format_datetime(value: datetime | None, tz_name: str | None = None) -> str:
    """'17 Agustus 2026 08.30 WIB': an aware UTC timestamp shown in the local time zone."""
    if value is None:
        return ""
    zone = clock.zone(tz_name)
    local = value.astimezone(zone)
    text = babel_format_datetime(local, "d MMMM y HH.mm", locale=str(get_locale()))
    return f"{text} {local.tzname()}"


@lru_cache(maxsize=4096)
def _formatted_number(value: float | int | Decimal, digits: int, locale: str) -> str:
    pattern = "#,##0" if digits == 0 else "#,##0." + "#" * digits
    return babel_format_decimal(value, format=pattern, locale=locale)


def format_number(value: float | int | Decimal | None, digits: int = 1) -> str:
    """'1.234,5' in Indonesian, '1,234.5' in English (counts and minutes repeat: each is formatted once)."""
    if value is None:
        return ""
    return _formatted_number(value, digits, str(get_locale()))


def plain_number(text: str) -> str:
    """A number as typed in the reader's language ('1.234,5' or '1,5' in Indonesian, '1,234.5' in English) in
    the plain form Decimal reads ('1234.5'). In Indonesian a lone point is a decimal point unless it groups
    thousands ('1.5' is 1,5 but '1.500' is 1500); anything else is passed on as typed, for the field to refuse."""
    text = "".join(text.split())
    if get_decimal_symbol(str(get_locale())) == ",":
        if "," in text:
            return text.replace(".", "").replace(",", ".")
        return text.replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", text) else text
    return text.replace(",", "")


TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def compile_catalogs(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every messages.po that is newer than its .mo (what `make translations` does)."""
    compiled = []
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)
        compiled.append(mo_path)
    return compiled


def ensure_catalogs(app: Flask, directory: Path = TRANSLATIONS_DIR) -> None:
    """Compile a missing or stale catalogue at start, so an install that skipped `make translations` still speaks
    English; where the files cannot be written (a read-only install), refuse to start rather than fall back to
    Indonesian without a word."""
    try:
        compiled = compile_catalogs(directory)
    except OSError as error:
        stale = [str(po_path.with_suffix(".mo")) for po_path in directory.glob("*/LC_MESSAGES/messages.po")
                 if not po_path.with_suffix(".mo").exists()
                 or po_path.with_suffix(".mo").stat().st_mtime < po_path.stat().st_mtime]
        raise RuntimeError(
            f"The translation catalogues {', '.join(stale)} are missing or older than their .po files and cannot "
            f"be compiled here ({error}). Run `make translations` (pybabel compile -d kinerja/translations) as the "
            "owner of the files, then start again.") from error
    for path in compiled:
        app.logger.info("Compiled the translation catalogue %s", path)


def init_app(app: Flask) -> None:
    ensure_catalogs(app)
    configuration = app.extensions["babel"]
    if not isinstance(configuration.instance.__dict__.get("domain_instance"), RequestDomain):
        configuration.instance.domain_instance = RequestDomain(domain=configuration.default_domain)

    @app.before_request
    def offer_wtforms_translations() -> None:
        request.wtforms_translations = WTFORMS_TRANSLATIONS

    # Flask-Babel's template callables, with the request's translations found in one step (as its own do it):
    # Jinja's newstyle gettext (what `{% trans %}` blocks call), and `_` bound to gettext directly.
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(gettext=template_gettext, ngettext=template_ngettext, _=template_gettext)
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_number, "number")
    app.add_template_global(timedelta, "timedelta")

    @app.context_processor
    def language_context() -> dict:
        return {"current_locale": str(get_locale()), "language_names": LANGUAGE_NAMES}
