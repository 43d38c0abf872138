"""Canaries for the renderer's reach past public APIs (kinerja/reports/weasyprint_internals.py, and CPython's frame
allocation behind render.with_frame_headroom): each fails loudly, naming what changed, when a new WeasyPrint or
Python no longer behaves the way those speed-ups were measured on."""

from __future__ import annotations

import configparser
import inspect
import resource
import shutil
import sys
import threading
from pathlib import Path

import cssselect2
import pytest
import tinycss2
import weasyprint
from weasyprint import HTML
from weasyprint.html import UA, UA_COUNTER_STYLE, UA_FORM_STYLESHEET, UA_STYLESHEET

from kinerja.reports import pdf as report_pdf
from kinerja.reports import render
from kinerja.reports import weasyprint_internals as internals
from tests import report_samples as samples
from tests.test_report_pdf import CODE, VERIFY_URL, pdf_pages, unique_month

SEE = "kinerja/reports/weasyprint_internals.py relies on it: re-measure (python -m bench.reports_pdf --steps)"


def rule_selectors(css: str) -> set[str]:
    """Every selector of every style rule in `css`."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return {selector.strip() for rule in rules if rule.type == "qualified-rule"
            for selector in tinycss2.serialize(rule.prelude).split(",")}


def counter_styles(css: str) -> set[str]:
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return {tinycss2.serialize(rule.prelude).strip() for rule in rules
            if rule.type == "at-rule" and rule.lower_at_keyword == "counter-style"}


def test_installed_weasyprint_is_the_pinned_series_the_hooks_were_measured_on():
    config = configparser.ConfigParser()
    config.read(Path(__file__).resolve().parent.parent / "setup.cfg")
    pins = [line for line in config["options"]["install_requires"].split() if line.startswith("weasyprint")]
    series = internals.WEASYPRINT_SERIES
    assert pins == [f"weasyprint>={series},<{series + 1}"], f"setup.cfg pins {pins}, measured on {series}: {SEE}"
    installed = int(weasyprint.__version__.split(".")[0])
    assert installed == series, f"WeasyPrint {weasyprint.__version__} installed, measured on {series}: {SEE}"


def test_html_init_sets_only_the_attributes_report_html_takes_over():
    """ReportHTML lets HTML.__init__ set up an empty document, then gives it expat's tree: that is only right
    while nothing else in the document is derived from the parsed tree."""
    parameters = inspect.signature(HTML.__init__).parameters
    assert {"string", "base_url", "url_fetcher"} <= set(parameters), f"HTML.__init__ is now {parameters}: {SEE}"
    document = HTML(string="<p>isi</p>", base_url=render.BASE_URL)
    assert set(vars(document)) == {"base_url", "url_fetcher", "media_type", "wrapper_element", "etree_element"}, (
        f"HTML.__init__ now sets {sorted(vars(document))}: {SEE}")
    assert isinstance(document.wrapper_element, cssselect2.ElementWrapper), f"wrapper_element changed: {SEE}"
    assert document.etree_element is document.wrapper_element.etree_element, f"etree_element changed: {SEE}"


def test_report_html_takes_expats_tree_and_keeps_the_rest():
    html = '<!DOCTYPE html><html lang="id"><body><p class="isi">satu</p></body></html>'
    document = internals.ReportHTML(string=html, base_url=render.BASE_URL, url_fetcher=None)
    assert document.etree_element is document.wrapper_element.etree_element
    assert document.etree_element.find("body/p").text == "satu"
    assert (document.base_url, document.media_type) == (render.BASE_URL, "print")


def test_ua_stylesheets_hook_is_the_one_report_html_overrides():
    parameters = list(inspect.signature(HTML._ua_stylesheets).parameters)
    assert parameters == ["self", "forms"], f"HTML._ua_stylesheets takes {parameters} now: {SEE}"
    assert HTML(string="")._ua_stylesheets() == [UA_STYLESHEET], f"HTML._ua_stylesheets changed: {SEE}"
    assert HTML(string="")._ua_stylesheets(forms=True) == [UA_STYLESHEET, UA_FORM_STYLESHEET], SEE
    report = internals.ReportHTML(string="", base_url=render.BASE_URL, url_fetcher=None)
    assert report._ua_stylesheets() == [internals.REPORT_UA_STYLESHEET]
    assert report._ua_stylesheets(forms=True) == [internals.REPORT_UA_STYLESHEET, UA_FORM_STYLESHEET]


def test_the_cascade_still_asks_the_document_for_its_ua_stylesheets(monkeypatch):
    asked = []
    hook = internals.ReportHTML._ua_stylesheets
    monkeypatch.setattr(internals.ReportHTML, "_ua_stylesheets", lambda self, forms=False: asked.append(forms) or
                        hook(self, forms))
    assert render.render_pdf("<!DOCTYPE html><html><body><p>isi</p></body></html>").startswith(b"%PDF")
    assert asked, f"WeasyPrint no longer calls HTML._ua_stylesheets while rendering: {SEE}"


def test_trimmed_ua_stylesheet_drops_exactly_the_universal_pseudo_element_rules():
    universal = {selector for selector in rule_selectors(UA) if selector.startswith("::")}
    assert universal == set(internals.UNIVERSAL_PSEUDO_RULES), f"WeasyPrint's UA pseudo-element rules changed: {SEE}"
    dropped = [line for line in UA.splitlines() if line.startswith("::")]
    assert sorted(line.split("{")[0].strip() for line in dropped) == sorted(universal), (
        f"the universal pseudo-element rules are no longer one per line in weasyprint.html.UA: {SEE}")
    assert rule_selectors(internals.trimmed_ua()) == rule_selectors(UA) - universal | {"li::marker", "summary::marker"}
    assert not counter_styles(internals.trimmed_ua())
    assert counter_styles(UA) <= set(UA_COUNTER_STYLE), f"UA_COUNTER_STYLE lacks the UA's @counter-style rules: {SEE}"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing")
@pytest.mark.parametrize("kind", ["employee-report", "agency-recap"])
def test_report_html_prints_what_plain_weasyprint_prints(app, kind):
    with app.app_context():
        if kind == "employee-report":
            html = report_pdf.employee_html(unique_month(), code=CODE, verify_url=VERIFY_URL)
        else:
            html = report_pdf.agency_recap_html(samples.agency_recap(40))
        assert internals.xml_tree(html) is not None
        fetcher, font_config, stylesheet = render.shared()
        plain = HTML(string=html, base_url=render.BASE_URL, url_fetcher=fetcher).write_pdf(
            stylesheets=[stylesheet], font_config=font_config, **render.PDF_OPTIONS)
        ours = render.render_pdf(html)
    assert pdf_pages(ours, layout=True) == pdf_pages(plain, layout=True), (
        f"ReportHTML no longer prints what weasyprint.HTML prints: {SEE}")


@pytest.mark.skipif(sys.implementation.name != "cpython" or sys.version_info < (3, 11) or sys.platform != "linux",
                    reason="CPython 3.11+ data stack chunks, counted with Linux's per-thread page faults")
def test_frame_headroom_stops_frame_chunks_being_mapped_again_and_again():
    """Call depth going up and down across a 16 KB frame chunk maps and unmaps it each time (a page fault at
    least); from the headroom frame the same calls stay inside one chunk."""
    def down(depth: int) -> int:
        return 0 if depth == 0 else 1 + down(depth - 1)

    def swing() -> int:
        before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
        for _ in range(2_000):
            down(300)  # from a fresh thread's first chunk into the next ones and back
        return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before

    faults = {}
    for name, run in (("plain", swing), ("headroom", lambda: render.with_frame_headroom(swing))):
        thread = threading.Thread(target=lambda name=name, run=run: faults.__setitem__(name, run()))
        thread.start()
        thread.join()
    assert faults["plain"] >= 2_000, f"CPython {sys.version} no longer maps frame chunks again and again ({faults}):" \
        " render.with_frame_headroom may have become useless; re-measure (python -m bench.reports_pdf --depths)"
    assert faults["headroom"] <= 20, f"CPython {sys.version} no longer gives a big frame a chunk of its own " \
        f"({faults}): render.with_frame_headroom does nothing; re-measure (python -m bench.reports_pdf --depths)"
    assert render.with_frame_headroom(lambda a, b: a + b, 2, 3) == 5
