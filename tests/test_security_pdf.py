"""Security sweep, the PDF renderer: for every document kind, user text that looks like markup is printed as text
and loads nothing; the fetcher refuses every URL but the reports' own files and data: pictures and fonts."""

from __future__ import annotations

import dataclasses
import shutil
import socket
import urllib.request
from datetime import date, time
from decimal import Decimal

import pytest

from kinerja.models.skp import Predikat, Rating
from kinerja.reports import pdf as report_pdf
from kinerja.reports import render
from kinerja.reports.model import ActivityLine
from kinerja.reports.render import RefusedURL, url_fetcher
from kinerja.skp import document_files, documents
from tests import report_samples as samples
from tests.test_report_pdf import CODE, VERIFY_URL, pdf_pages
from tests.test_skp import plan
from tests.test_skp_documents import rate

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing")

HOSTILE = ('<img src="file:///etc/passwd"><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
           '<b style="background: url(http://127.0.0.1:9/bg.png)">tebal</b></style>'
           '<style>@import url(file:///etc/hostname); p { background: url(data:text/html,x) }</style>'
           '<object data="report-static:../../kinerja/__init__.py"></object>')
SAFE_SCHEMES = (render.BASE_URL, "data:image/", "data:font/")


def employee_month(_db, _org):
    line = ActivityLine(day=date(2026, 10, 30), start=time(8), end=time(9), minutes=60, description=HOSTILE,
                        quantity=Decimal(1), unit=HOSTILE[:40], mode="WFO", status="approved",
                        status_label="Disetujui")
    month = samples.employee_month(2, extra_line=line)
    return report_pdf.employee_pdf(month, code=CODE, verify_url=VERIFY_URL)


def agency_recap(_db, _org):
    recap = samples.agency_recap(2)
    recap = dataclasses.replace(recap, rows=(dataclasses.replace(recap.rows[0], name=HOSTILE), *recap.rows[1:]))
    return report_pdf.agency_recap_pdf(recap)


def skp_plan(db, org):
    mine = plan(db, org.staff_a, text=HOSTILE)
    mine.behaviours[0].expectation = HOSTILE
    mine.dukungan_sumber_daya = HOSTILE
    db.session.commit()
    return document_files.skp_pdf(documents.skp_document(mine))


def evaluation(db, org):
    mine = plan(db, org.staff_a, text=HOSTILE)
    rate(db, mine, 11, Rating.AS_EXPECTED, Rating.AS_EXPECTED, Predikat.GOOD, adjustment=Decimal(0),
         feedback=HOSTILE, note=HOSTILE)
    kind, months = documents.parse_document_period("2026-11", mine)
    return document_files.evaluation_pdf(documents.evaluation_document(mine, kind, months, date(2026, 11, 30)))


DOCUMENTS = {"employee-report": employee_month, "agency-recap": agency_recap, "skp": skp_plan,
             "evaluation": evaluation}


@pytest.fixture()
def rendering(monkeypatch) -> dict[str, list]:
    """Spies on one render: the HTML handed to WeasyPrint, the URLs it asked for, network and file access."""
    seen: dict[str, list] = {"html": [], "asked": [], "connections": [], "files": []}
    real_fetcher, real_render = render.url_fetcher, render.render_pdf

    def spy_render(html: str) -> bytes:
        seen["html"].append(html)
        return real_render(html)

    def no_connect(_socket, address):
        seen["connections"].append(address)
        raise OSError("no network while rendering")

    monkeypatch.setattr(render, "url_fetcher", lambda url, **kw: seen["asked"].append(url) or real_fetcher(url, **kw))
    monkeypatch.setattr(report_pdf, "render_pdf", spy_render)
    monkeypatch.setattr(document_files, "render_pdf", spy_render)
    monkeypatch.setattr(socket.socket, "connect", no_connect)
    monkeypatch.setattr(urllib.request.FileHandler, "file_open", lambda _handler, req: seen["files"].append(req))
    return seen


@pytest.mark.parametrize("kind", list(DOCUMENTS))
def test_user_text_is_printed_as_text_and_loads_nothing(db, org, rendering, kind):
    data = DOCUMENTS[kind](db, org)
    (html,) = rendering["html"]
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html and '<img src="file:' not in html
    assert '<link rel="stylesheet" href="http:' not in html and "<object" not in html
    assert html.count("<style") == 1  # the template's own @page rules, nothing from the user
    assert rendering["asked"] and all(url.startswith(SAFE_SCHEMES) for url in rendering["asked"])
    assert not rendering["connections"] and not rendering["files"]
    printed = "".join("".join(pdf_pages(data)).split())  # narrow columns wrap the text anywhere
    assert '<imgsrc="file:///etc/passwd">' in printed


@pytest.mark.parametrize("url", [
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:text/css,@import%20url(file:///etc/passwd)",
    "data:application/javascript,alert(1)",
    "data:text/plain,halo",
    "data:application/pdf;base64,JVBERi0=",
    "data:,halo",
    "file:///etc/passwd",
    "http://127.0.0.1:9/x",
    "https://example.com/x.css",
    f"{render.SCHEME}:../../config.py",
    f"{render.SCHEME}:fonts/..%2f..%2fconfig.py",
])
def test_the_fetcher_refuses_everything_but_own_files_and_data_pictures_and_fonts(url):
    with pytest.raises(RefusedURL):
        url_fetcher(url)


@pytest.mark.parametrize(("url", "mime_type"), [("data:image/png;base64,iVBORw0K", "image/png"),
                                                ("data:image/svg+xml,%3Csvg/%3E", "image/svg+xml"),
                                                ("data:font/ttf;base64,AAEAAA==", "font/ttf")])
def test_the_fetcher_serves_data_pictures_and_fonts(url, mime_type):
    assert url_fetcher(url)["mime_type"] == mime_type


def test_raw_markup_reaching_the_renderer_still_loads_nothing(ctx_app, rendering):
    """Defence in depth: were escaping ever lost, the fetcher alone keeps files and the network out."""
    page = f"<!doctype html><html><head><style>@page {{}}</style></head><body><p>Isi</p>{HOSTILE}" \
           f'<img src="data:text/html;base64,PHA+"><iframe src="file:///etc/passwd"></iframe></body></html>'
    data = render.render_pdf(page)
    assert "Isi" in pdf_pages(data)[0]
    assert {"file:///etc/passwd", "http://127.0.0.1:9/x.css", "http://127.0.0.1:9/bg.png", "file:///etc/hostname",
            "data:text/html;base64,PHA+"} <= set(rendering["asked"])
    assert not rendering["connections"] and not rendering["files"]


@pytest.fixture()
def ctx_app(app):
    with app.app_context():
        yield app
