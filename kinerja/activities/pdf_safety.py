"""PDF evidence without active content: no JavaScript, launch actions, embedded files, Flash or XFA forms.

Appraisers open evidence PDFs inline in their browser's viewer or download them to an office PC, so a PDF that
runs a script, starts a program or carries a hidden attachment is refused at upload. A PDF names such content
with a dictionary key (/JS, /Launch, ...), written either in the file's body or inside a compressed object
stream; names may hide letters as #xx escapes. So the check reads the body and every object stream, with the
escapes undone. An object stream it cannot read (another filter, encrypted, damaged, or unpacking to more than
OBJECT_STREAMS_MAX_BYTES) makes the file refused too: what cannot be checked is not accepted.

No PDF library is a dependency of the project; the check is deliberately a scan of names rather than a parse,
and errs on the side of refusing (a text that merely contains the word "/JavaScript" is refused as well).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

from flask_babel import gettext as _

from kinerja.errors import ValidationFailed

ACTIVE_NAMES = re.compile(
    rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|ImportData|SubmitForm)(?![A-Za-z0-9_.+-])")
NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
STREAM_START = re.compile(rb">>\s*stream\r?\n")
DICTIONARY_WINDOW = 4096  # how far before `stream` its object's dictionary may begin
OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
FLATE_ONLY = re.compile(rb"/Filter\s*(?:/FlateDecode|\[\s*/FlateDecode\s*\])")
OBJECT_STREAMS_MAX_BYTES = 32 * 1024 * 1024


class Uncheckable(Exception):
    """An object stream the scan cannot read."""


def unescape_names(data: bytes) -> bytes:
    """Undo #xx escapes (/J#61vaScript is /JavaScript)."""
    return NAME_ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), data)


def object_streams(content: bytes) -> Iterable[bytes]:
    """The unpacked content of every object stream (/Type /ObjStm) of the file."""
    budget = OBJECT_STREAMS_MAX_BYTES
    for match in STREAM_START.finditer(content):
        window = content[max(0, match.start() - DICTIONARY_WINDOW):match.start()]
        dictionary = unescape_names(window[window.rfind(b" obj") + 1:])
        if not OBJECT_STREAM.search(dictionary):
            continue
        if not FLATE_ONLY.search(dictionary):
            raise Uncheckable("object stream with another filter than FlateDecode")
        unpacker = zlib.decompressobj()
        try:
            data = unpacker.decompress(content[match.end():], budget + 1)
        except zlib.error as error:
            raise Uncheckable("object stream does not unpack") from error
        budget -= len(data)
        if budget < 0:
            raise Uncheckable("object streams unpack to too much")
        yield data


def has_active_content(content: bytes) -> bool:
    """Whether a PDF names active content in its body or object streams, or hides them from the scan."""
    if ACTIVE_NAMES.search(unescape_names(content)):
        return True
    try:
        return any(ACTIVE_NAMES.search(unescape_names(data)) for data in object_streams(content))
    except Uncheckable:
        return True


def refuse_active(name: str, content: bytes) -> None:
    """Raise ValidationFailed (field 'files') when the PDF `content` has active content."""
    if has_active_content(content):
        raise ValidationFailed(
            _("Berkas %(name)s tidak diterima: PDF ini berisi skrip, perintah menjalankan program, lampiran "
              "tersemat, atau bagian yang tidak dapat diperiksa. Cetak ulang sebagai PDF lalu unggah lagi.",
              name=name), field="files")
