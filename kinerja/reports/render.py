"""The renderer of the report PDFs: a report's HTML in, PDF bytes out, loading nothing but the app's own files.

Safety: documents only ever load the app's own files under static/reports/ (through the private `report-static:`
scheme) and data: URIs of pictures and fonts. file://, http(s)://, ftp:, other data: URIs and anything else are
refused by `url_fetcher`, so user text slipping an <img src="file:///etc/passwd"> or a CSS url(http://...) into a
report loads nothing (WeasyPrint logs the refusal and skips the resource).

Speed: rendering is CPU-bound and runs in long-lived worker processes, so what can be shared between renders is
made once per process (`shared`): the fetcher, one FontConfiguration (a new one per render also grows memory) and
report.css, parsed once. report.css lays tables out with fixed column widths and uses a small vendored Latin font,
embedded whole (`build_fonts`), so that no font is subset with fontTools at render time. Three more measures pay
for themselves (python -m bench.reports_pdf --steps and --depths show what each one buys):
- the markup is read by expat and the user-agent stylesheet is trimmed (kinerja/reports/weasyprint_internals.py,
  the only use of WeasyPrint's internals, pinned to the series it was measured on);
- Python's cyclic garbage collector is paused for the duration of one render (`paused_cyclic_gc`), as layout
  allocates a few hundred thousand objects that it would otherwise walk again and again;
- the render runs from a frame with headroom (`with_frame_headroom`), so that its time does not depend on the call
  depth it starts from.

Memory stays flat over hundreds of renders in one process. Keep font-variant-* and font-feature-settings out of
report.css: with them WeasyPrint 70 allocates a Pango attribute list per text box that it never frees.
"""

from __future__ import annotations

import gc
import mimetypes
import os
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote
from urllib.request import DataHandler, OpenerDirector

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "reports"
STYLESHEET = "report.css"
SCHEME = "report-static"
BASE_URL = f"{SCHEME}:"

# Source fonts for `build_fonts` (Debian's fonts-dejavu-core) and what the vendored subset keeps:
# Latin-1, Latin Extended-A, general punctuation, €, ™, ▪ and the replacement character. Characters outside
# it fall back to the system's fonts through fontconfig, so nothing is lost, it only costs more when it happens.
FONT_SOURCES = {
    "DejaVuSansCondensed.ttf": "ReportSans-Regular.ttf",
    "DejaVuSansCondensed-Bold.ttf": "ReportSans-Bold.ttf",
}
FONT_UNICODES = [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2028), 0x2030, 0x2039, 0x203A,
                 0x20AC, 0x2116, 0x2122, 0x2212, 0x25AA, 0xFFFD]

# write_pdf options kept after measuring (see the module docstring).
PDF_OPTIONS: dict = {"full_fonts": True}


# data: URIs may carry pictures (the inlined kop logo) and fonts, nothing a document could run or style itself with.
DATA_TYPES = ("image/", "font/", "application/font-", "application/x-font-")


class RefusedURL(Exception):
    """A report tried to load something else than its own static files or a data: URI."""


def static_url(name: str) -> str:
    """The URL of a file under static/reports/ for templates and stylesheets."""
    return f"{BASE_URL}{name}"


def _data_opener() -> OpenerDirector:
    opener = OpenerDirector()
    opener.add_handler(DataHandler())  # data: only, no HTTP, FTP or file handler at all
    return opener


def _static_file(relative: str) -> Path:
    root = os.path.realpath(STATIC_DIR)
    relative = unquote(relative.split("?", 1)[0].split("#", 1)[0])
    parts = relative.replace("\\", "/").split("/")
    if "\x00" in relative or ".." in parts or relative.startswith("/"):
        raise RefusedURL(f"Refused report resource path: {relative!r}")
    real = os.path.realpath(os.path.join(root, relative))
    if os.path.commonpath([root, real]) != root or real == root or not os.path.isfile(real):
        raise RefusedURL(f"Refused report resource outside static/reports: {relative!r}")
    return Path(real)


def url_fetcher(url: str, timeout=10, ssl_context=None) -> dict:
    """Fetch a report resource: only files under static/reports/ (`report-static:` URLs) and data: URIs.

    Returns WeasyPrint's dict (string, mime_type, redirected_url); raises RefusedURL for anything else.
    """
    scheme, _, rest = url.partition(":")
    scheme = scheme.lower()
    if scheme == "data":
        with _data_opener().open(url, timeout=timeout) as response:
            mime_type = response.headers.get_content_type()
            if not mime_type.startswith(DATA_TYPES):
                raise RefusedURL(f"Refused report data: URI of type {mime_type!r}")
            return {"string": response.read(), "mime_type": mime_type, "redirected_url": url}
    if scheme == SCHEME:
        path = _static_file(rest)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return {"string": path.read_bytes(), "mime_type": mime_type, "redirected_url": url}
    raise RefusedURL(f"Refused report resource URL: {url[:200]!r}")


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):
        """WeasyPrint's documented way to fetch resources (a URLFetcher with its own `fetch`): only `url_fetcher`."""

        def fetch(self, url, headers=None):
            result = url_fetcher(url)
            return URLFetcherResponse(result["redirected_url"], result["string"],
                                      {"Content-Type": result["mime_type"]})

    return SafeURLFetcher


class _Shared:
    """What one process keeps between renders: the fetcher, the FontConfiguration, the parsed stylesheet."""

    lock = threading.Lock()
    fetcher = None
    font_config = None
    stylesheet = None


def shared():
    """(fetcher, font_config, stylesheet), made once per process."""
    if _Shared.stylesheet is None:
        with _Shared.lock:
            if _Shared.stylesheet is None:
                from weasyprint import CSS
                from weasyprint.text.fonts import FontConfiguration

                _Shared.fetcher = _fetcher_class()(fail_on_errors=False)
                _Shared.font_config = FontConfiguration()
                _Shared.stylesheet = CSS(string=(STATIC_DIR / STYLESHEET).read_text("utf-8"), base_url=BASE_URL,
                                         url_fetcher=_Shared.fetcher, font_config=_Shared.font_config)
    return _Shared.fetcher, _Shared.font_config, _Shared.stylesheet


_render_lock = threading.Lock()


def render_pdf(html: str) -> bytes:
    """The PDF of a report's HTML, with report.css, the shared fonts and the safe fetcher.

    Renders are serialised within a process (the FontConfiguration is shared, and WeasyPrint is CPU-bound
    under the GIL anyway): run several worker processes for throughput.
    """
    fetcher, font_config, stylesheet = shared()
    # The vendored font holds Latin text: embed it whole (no subsetting, ≈30 KB more). Text beyond it falls back
    # to system fonts, which must then be subset (a whole DejaVu is 700 KB).
    options = PDF_OPTIONS if _latin_only(html) else {**PDF_OPTIONS, "full_fonts": False}
    with _render_lock, paused_cyclic_gc():
        return with_frame_headroom(_write_pdf, html, stylesheet, fetcher, font_config, options)


def _write_pdf(html: str, stylesheet, fetcher, font_config, options: dict) -> bytes:
    from kinerja.reports.weasyprint_internals import ReportHTML

    document = ReportHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=font_config, **options)


@contextmanager
def paused_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused for one render, and always started again after it.

    A render allocates a few hundred thousand objects that live until it ends (boxes, computed styles); the
    collector would walk them again and again while they are being made. Reference counting still frees
    everything as usual; the cycles a render leaves are collected right after it. No effect (and nothing
    restarted) when the collector was already off. The pause is process-wide, but renders are short and
    serialised, and the processes that render do little else.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def _frame_headroom_caller(slots: int) -> Callable:
    """`call(function, *args)`, a function whose frame reserves `slots` value-stack slots it never uses."""
    def call(function, *args):
        return function(*args)

    return types.FunctionType(call.__code__.replace(co_stacksize=slots), call.__globals__, "with_frame_headroom")


# CPython (3.11 to 3.13 at least) keeps Python frames in "data stack chunks" of 16 KB and unmaps a chunk as soon as
# the call depth drops back below it. WeasyPrint's layout recursion goes up and down thousands of times per report,
# and when it does so across a chunk boundary each crossing maps a chunk again and faults its pages in: depending
# only on the call depth a render starts from, a few hundred to twenty thousand page faults and up to a third more
# time per report (python -m bench.reports_pdf --depths).
# A frame bigger than a chunk gets a chunk of its own, sized to the next power of two: a frame of FRAME_SLOTS
# (≈65 KB) gets one of 128 KB and leaves ≈60 KB (some 500 of WeasyPrint's frames) above it, in which the whole
# render runs without a chunk being mapped. Reserving the slots through the code object's declared stack size is
# plain Python (code.replace); if CPython ever allocates frames otherwise, the render is only as slow as without
# it, and tests/test_render_canary.py says so.
FRAME_SLOTS = 8_300
with_frame_headroom = _frame_headroom_caller(FRAME_SLOTS)


_FONT_CHARACTERS = frozenset(map(chr, FONT_UNICODES)) | frozenset("\t\n\r")


def _latin_only(text: str) -> bool:
    """Whether the vendored font has every character of `text` (markup included: it is ASCII)."""
    return set(text) <= _FONT_CHARACTERS


def build_fonts(source_dir: str | Path = "/usr/share/fonts/truetype/dejavu", target_dir: Path | None = None) -> list:
    """Make the vendored Latin subsets of DejaVu Sans Condensed (run once; the files are committed).

    python -c "from kinerja.reports.render import build_fonts; build_fonts()"
    """
    from fontTools import subset

    target_dir = target_dir or STATIC_DIR / "fonts"
    target_dir.mkdir(parents=True, exist_ok=True)
    made = []
    for source, target in FONT_SOURCES.items():
        options = subset.Options()
        options.hinting = False
        options.desubroutinize = True
        options.layout_features = ["kern", "ccmp", "locl", "mark", "mkmk"]  # no ligatures: text stays searchable
        options.name_IDs = ["*"]
        options.notdef_outline = True
        font = subset.load_font(str(Path(source_dir) / source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=FONT_UNICODES)
        subsetter.subset(font)
        subset.save_font(font, str(target_dir / target), options)
        made.append((target, (target_dir / target).stat().st_size))
    return made
