"""The English catalogue covers every Indonesian source string, keeps its placeholders, and is what English users see.

The UI is written in Indonesian (the msgids); English comes from kinerja/translations/en. When a test here fails
because of new strings, update the catalogue (what `make extract-messages` is for):

    .venv/bin/pybabel -q extract -F babel.cfg -k _l -o kinerja/translations/messages.pot .
    .venv/bin/pybabel -q update -i kinerja/translations/messages.pot -d kinerja/translations

then translate the new entries in kinerja/translations/en/LC_MESSAGES/messages.po and drop their "fuzzy" flags.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
EN_PO = ROOT / "kinerja" / "translations" / "en" / "LC_MESSAGES" / "messages.po"

# %(name)s, %(n)d, %(m).1f ... and the unnamed %s / %d kind; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def placeholders(text: str) -> Counter[str]:
    return Counter(found for found in PLACEHOLDER.findall(text) if found != "%%")


def message_texts(message) -> list[str]:
    """A message's msgid (or msgid and msgid_plural) as a list."""
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def translation_texts(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


@pytest.fixture(scope="module")
def english() -> Catalog:
    return read_catalog(EN_PO)


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> Catalog:
    """The messages in the sources right now, extracted exactly as `make extract-messages` does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return read_catalog(pot)


def test_every_source_string_has_an_english_translation(source_messages, english):
    missing = []
    for message in source_messages:
        if not message.id:
            continue  # the header
        translated = english.get(message.id)
        if translated is None or translated.fuzzy or not all(text.strip() for text in translation_texts(translated)):
            missing.append(message_texts(message)[0])
    assert not missing, (
        f"{len(missing)} Indonesian string(s) lack a (non-fuzzy) English translation in {EN_PO.relative_to(ROOT)}; "
        "re-extract and update the catalogue (see this module's docstring) and translate them:\n"
        + "\n".join(f"  {text!r}" for text in missing)
    )


def test_the_sources_have_strings_to_translate(source_messages):
    """Guards the guard: an extraction that silently found nothing would make the test above pass vacuously."""
    ids = {message.id for message in source_messages if message.id}
    assert {"Masuk", "Kata sandi", "Beranda"} <= ids


def test_no_fuzzy_entries_in_the_english_catalogue(english):
    fuzzy = [message.id for message in english if message.id and message.fuzzy]
    assert not fuzzy, f"fuzzy entries (unchecked machine matches) in {EN_PO.name}: {fuzzy}"


def test_translations_keep_the_placeholders_of_their_msgid(english):
    broken = []
    for message in english:
        if not message.id:
            continue
        expected = placeholders(message_texts(message)[0])
        for text in translation_texts(message):
            if text and placeholders(text) != expected:
                broken.append(f"{message_texts(message)[0]!r} -> {text!r}")
    assert not broken, "placeholders differ between msgid and translation:\n" + "\n".join(broken)


def test_placeholder_pattern():
    assert placeholders("Minimal %(n)d karakter, %(name)s, 100%%") == Counter({"%(n)d": 1, "%(name)s": 1})


def get_page(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def test_indonesian_is_the_default(client):
    page = get_page(client, "/masuk")
    assert "Masuk ke Kinerja" in page
    assert "Sign in to Kinerja" not in page
    assert '<html lang="id">' in page


def test_choosing_english_shows_the_english_ui(client):
    response = client.post("/bahasa", data={"language": "en"})
    assert response.status_code == 302
    page = get_page(client, "/masuk")
    assert "Sign in" in page
    assert "Masuk ke Kinerja" not in page
    assert '<html lang="en">' in page


def test_choosing_indonesian_again_switches_back(client):
    client.post("/bahasa", data={"language": "en"})
    assert "Sign in to Kinerja" in get_page(client, "/masuk")
    client.post("/bahasa", data={"language": "id"})
    assert "Masuk ke Kinerja" in get_page(client, "/masuk")
