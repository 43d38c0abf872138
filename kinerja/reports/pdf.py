"""The report PDFs: the employee's laporan kinerja bulanan and the agency recap (rekapitulasi OPD).

The data arrives complete (kinerja.reports.model); this module only formats it in Indonesian (official
documents, whatever the reader's language), renders the templates under templates/reports/ and hands the HTML
to the safe renderer. Call inside an app context.
"""

from __future__ import annotations

import base64
import io
import mimetypes
import os
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import segno
from flask import current_app
from flask_babel import force_locale, gettext
from markupsafe import Markup

from kinerja.core.signatory import acting_title
from kinerja.i18n import format_date, format_number
from kinerja.reports.model import AgencyRecap, EmployeeMonth, IndicatorLine, Person
from kinerja.reports.render import render_pdf, static_url

MODES = ("WFO", "WFH", "DL")
LOGO_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"}
_PAGE_SENTINEL, _PAGES_SENTINEL = "\x01PAGE\x01", "\x01PAGES\x01"


def css_string(text: str) -> str:
    """`text` as a quoted CSS string, safe inside a <style> element."""
    escaped = "".join(
        f"\\{ord(char):X} " if char in '"\\<>&\'' or ord(char) < 0x20 or ord(char) == 0x7F else char
        for char in text)
    return f'"{escaped}"'


def _page_counter_css(prefix: str = "") -> str:
    """CSS content for "Halaman x dari y" (the words translated, the numbers WeasyPrint's page counters)."""
    text = gettext("Halaman %(page)s dari %(pages)s", page=_PAGE_SENTINEL, pages=_PAGES_SENTINEL)
    parts = []
    for piece in text.replace(_PAGES_SENTINEL, "\x00pages\x00").replace(_PAGE_SENTINEL, "\x00page\x00").split("\x00"):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    if prefix:
        parts.insert(0, css_string(prefix))
    return " ".join(parts)


def page_css(left: str = "") -> Markup:
    """The per-document @page margin boxes (their text is translated, so it cannot be in report.css)."""
    rules = [f"@bottom-right {{ content: {_page_counter_css()} }}"]
    if left:
        rules.append(f"@bottom-left {{ content: {css_string(left)} }}")
    return Markup("@page { " + " ".join(rules) + " }")  # noqa: S704 (every text passed through css_string)


_logo_cache: dict[tuple[str, float], str] = {}


def _allowed_logo_path(logo: str) -> str | None:
    """The real path of a kop logo if it is allowed: an image under static/, or BKD's upload
    ("upload:branding/<name>.png", inside UPLOAD_FOLDER/branding); None for anything else."""
    if logo.startswith("upload:"):
        root = os.path.realpath(os.path.join(current_app.config["UPLOAD_FOLDER"], "branding"))
        name = logo.removeprefix("upload:").removeprefix("branding/")
        suffixes = {".png"}
    else:
        root, name, suffixes = os.path.realpath(current_app.static_folder), logo.lstrip("/"), LOGO_SUFFIXES
    real = os.path.realpath(os.path.join(root, name))
    inside = os.path.commonpath([root, real]) == root and real != root
    if inside and Path(real).suffix.lower() in suffixes and os.path.isfile(real):
        return real
    return None


def logo_src(logo: str | None) -> str:
    """The kop's emblem: a file under static/ or BKD's uploaded logo (inlined as a data: URI), else the
    neutral placeholder."""
    if logo:
        real = _allowed_logo_path(logo)
        if real is not None:
            key = (real, os.path.getmtime(real))
            if key not in _logo_cache:
                mime = mimetypes.guess_type(real)[0] or "image/png"
                data = base64.b64encode(Path(real).read_bytes()).decode("ascii")
                _logo_cache.clear()  # one regency, one logo: keep only the latest
                _logo_cache[key] = f"data:{mime};base64,{data}"
            return _logo_cache[key]
        current_app.logger.warning("Report logo %r is not an image under static/ or an upload: placeholder used",
                                   logo)
    return static_url("lambang.svg")


def qr_svg(url: str) -> Markup:
    """The verification QR code as inline SVG (no file), with its namespace so the report stays well-formed XML."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", xmldecl=False, svgns=True, nl=False, scale=1, border=2,
                                    omitsize=True, dark="#000")
    # segno's own markup: a path of modules, the URL is not in it.
    return Markup(buffer.getvalue().decode("utf-8"))  # noqa: S704


class _Formats:
    """Indonesian formatting with memoised dates and numbers (a month has few distinct values)."""

    def __init__(self) -> None:
        self._dates: dict = {}
        self._numbers: dict = {}

    def day(self, value: date) -> str:
        if value not in self._dates:
            self._dates[value] = format_date(value, "d MMM y")
        return self._dates[value]

    def number(self, value: Decimal | int | float, digits: int = 2) -> str:
        key = (value, digits)
        if key not in self._numbers:
            self._numbers[key] = format_number(value, digits)
        return self._numbers[key]

    @staticmethod
    def clock(value: time) -> str:
        return f"{value.hour:02d}.{value.minute:02d}"

    def percent(self, value: float) -> str:
        return self.number(round(value, 1), 1) + "%"


def _indicator_rows(indicators: tuple[IndicatorLine, ...], fmt: _Formats) -> list[dict]:
    rows = []
    for line in indicators:
        also = [gettext("juga: %(amount)s %(unit)s (tidak dijumlahkan)", amount=fmt.number(amount), unit=unit)
                for amount, unit in line.other_units]
        rows.append({
            "rhk": line.rhk, "rhk_kind": line.rhk_kind, "indicator": line.indicator, "aspect": line.aspect,
            "target": f"{fmt.number(line.target)} {line.unit}", "realised": fmt.number(line.realised),
            "adjustment": fmt.number(line.adjustment), "total": f"{fmt.number(line.total)} {line.unit}",
            "feedback": line.feedback, "note": line.note, "also": also,
        })
    return rows


def employee_context(month: EmployeeMonth, *, code: str, verify_url: str) -> dict:
    """Everything employee_month.html shows, formatted (call under force_locale("id"))."""
    fmt = _Formats()
    rows = [(number, fmt.day(line.day), f"{fmt.clock(line.start)}–{fmt.clock(line.end)}", line.description,
             f"{fmt.number(line.quantity)} {line.unit}", line.mode, line.status_label)
            for number, line in enumerate(month.activities, start=1)]
    modes = sorted(set(MODES) | set(month.mode_days) | set(month.attendance_days),
                   key=lambda mode: (MODES.index(mode) if mode in MODES else len(MODES), mode))
    return {
        "month": month, "rows": rows, "fmt": fmt, "modes": modes, "code": code, "verify_url": verify_url,
        "logo": logo_src(month.logo), "qr": qr_svg(verify_url),
        "indicators": _indicator_rows(month.indicators, fmt),
        "page_css": page_css(gettext("Kode verifikasi: %(code)s", code=code)),
        "signer_title": _signer_title(month.appraiser),
    }


def _signer_title(appraiser: Person | None) -> str:
    if appraiser is not None and appraiser.acting:
        return appraiser.position  # already "Plh. Kepala Bidang ..."
    return gettext("Pejabat Penilai Kinerja")


def recap_context(recap: AgencyRecap) -> dict:
    fmt = _Formats()
    head = recap.head
    title = gettext("Kepala %(agency)s", agency=recap.agency_name)
    if head is not None and head.acting:
        title = acting_title(head.acting, title)
    return {
        "recap": recap, "fmt": fmt, "modes": MODES, "logo": logo_src(recap.logo), "head": head,
        "head_title": title, "page_css": page_css(),
    }


def render_html(template: str, context: dict) -> str:
    """Render a report template with the app's Jinja environment (autoescaped, `_()` installed) but without
    the app's context processors: they serve web pages (navigation, forms) and may need a request or the
    database, which a report never does."""
    with force_locale("id"):
        return current_app.jinja_env.get_template(template).render(context)


def employee_html(month: EmployeeMonth, *, code: str, verify_url: str,
                  template: str = "reports/employee_month.html") -> str:
    with force_locale("id"):
        return render_html(template, employee_context(month, code=code, verify_url=verify_url))


def agency_recap_html(recap: AgencyRecap, *, template: str = "reports/agency_recap.html") -> str:
    with force_locale("id"):
        return render_html(template, recap_context(recap))


def employee_pdf(month: EmployeeMonth, *, code: str, verify_url: str) -> bytes:
    """The laporan kinerja bulanan of one employee (A4 portrait)."""
    return render_pdf(employee_html(month, code=code, verify_url=verify_url))


def agency_recap_pdf(recap: AgencyRecap) -> bytes:
    """The rekapitulasi kinerja pegawai of one agency (A4 landscape)."""
    return render_pdf(agency_recap_html(recap))
