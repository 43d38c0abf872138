"""The one place where the report renderer reaches past WeasyPrint's public API.

`ReportHTML` is `weasyprint.HTML` with two changes, measured on the WeasyPrint series below (setup.cfg pins it):
- well-formed markup is read by expat (`xml_tree`) instead of WeasyPrint's pure-Python HTML5 parser;
- the user-agent stylesheet lacks the universal ::marker, ::footnote-* and ::note-* rules, which give every element
  of a report pseudo-element styles to compute for lists and footnotes that reports do not have.

Both lean on private parts of WeasyPrint: the `wrapper_element`/`etree_element` attributes `HTML.__init__` sets, the
`HTML._ua_stylesheets` hook the cascade calls, and the text of `weasyprint.html.UA`. tests/test_render_canary.py
fails, naming what changed, when any of them does; a new WeasyPrint series means re-measuring
(python -m bench.reports_pdf --steps) before moving the pin. Import this module lazily: it imports WeasyPrint.
"""

from __future__ import annotations

from xml.etree import ElementTree

import cssselect2
from weasyprint import CSS, HTML
from weasyprint.html import UA, UA_COUNTER_STYLE

WEASYPRINT_SERIES = 70  # the major version these hooks were measured on; setup.cfg: weasyprint>=70,<71
UNIVERSAL_PSEUDO_RULES = ("::marker", "::footnote-call", "::footnote-marker", "::note-call", "::note-marker",
                          "::note-callback")
# ::marker is kept for the elements that have one.
KEPT_MARKER_RULE = ("li::marker, summary::marker { font-variant-numeric: tabular-nums; white-space: pre;"
                    " text-transform: none }")


def xml_tree(html: str) -> ElementTree.Element | None:
    """The report's element tree read as XML (expat, in C) when it is well-formed, else None.

    The report templates are polyglot HTML (void elements closed, numeric character references, an upper-case
    DOCTYPE, SVG with its namespace), which gives the same tree as WeasyPrint's HTML5 parser (checked for every
    template in tests/test_report_pdf.py and tests/test_skp_documents.py) some 30 times faster. A template a regency
    edited into HTML that is not XML, user text with characters XML does not allow, or a <base> element (which
    `HTML.__init__` would read from the tree) simply go through the HTML5 parser."""
    if html.count("<!") > 1:  # a DTD with entities (or a comment) beyond the DOCTYPE: never from our templates
        return None
    try:
        root = ElementTree.fromstring(html)  # noqa: S314 - the app's own markup, user text escaped, no DTD (above)
    except ElementTree.ParseError:
        return None
    if root.tag != "html" or next(root.iter("base"), None) is not None:
        return None
    return root


def trimmed_ua() -> str:
    """WeasyPrint's HTML user-agent stylesheet without its universal pseudo-element rules."""
    # The @counter-style rules are already in UA_COUNTER_STYLE (registering them twice only warns).
    lines = [line for line in UA.splitlines() if not line.startswith(("::", "@counter-style"))]
    return "\n".join([*lines, KEPT_MARKER_RULE])


REPORT_UA_STYLESHEET = CSS(string=trimmed_ua(), counter_style=UA_COUNTER_STYLE)


class ReportHTML(HTML):
    """`weasyprint.HTML` read by expat when the markup is well-formed XML, with the trimmed user-agent stylesheet."""

    def __init__(self, *, string: str, base_url: str, url_fetcher) -> None:
        root = xml_tree(string)
        # WeasyPrint sets the document up as usual (from an empty one when expat has the tree), then gets the tree.
        super().__init__(string="" if root is not None else string, base_url=base_url, url_fetcher=url_fetcher)
        if root is not None:
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
            self.etree_element = self.wrapper_element.etree_element

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [REPORT_UA_STYLESHEET, *super()._ua_stylesheets(forms)[1:]]
