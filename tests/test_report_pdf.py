"""The report PDFs (kinerja.reports.pdf) read back with pdftotext, and the renderer's URL safety."""

from __future__ import annotations

import dataclasses
import re
import shutil
import socket
import subprocess
import urllib.request
from datetime import date, time
from decimal import Decimal

import pytest
import tinyhtml5

from kinerja.i18n import format_number
from kinerja.reports import pdf as report_pdf
from kinerja.reports import render
from kinerja.reports import weasyprint_internals as internals
from kinerja.reports.model import ActivityLine
from kinerja.reports.pdf import agency_recap_pdf, employee_html, employee_pdf
from kinerja.reports.render import RefusedURL, render_pdf, url_fetcher
from tests import report_samples as samples

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing")

CODE = "K7Q2-M9XD"
VERIFY_URL = "https://kinerja.example.go.id/verifikasi/K7Q2-M9XD"
# The rotated watermark comes out of `pdftotext -raw` one letter per line.
WATERMARK = re.compile(r"^D\n+R\n+A\n+F$", re.MULTILINE)


@pytest.fixture(scope="module")
def ctx(app):
    with app.app_context():
        yield app


def pdf_pages(data: bytes, *, layout: bool = False, raw: bool = False, first: int | None = None,
              last: int | None = None) -> list[str]:
    """The text of each page (pdftotext separates pages with form feeds)."""
    command = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        command.append("-layout")
    if raw:
        command.append("-raw")
    if first:
        command += ["-f", str(first)]
    if last:
        command += ["-l", str(last)]
    result = subprocess.run([*command, "-", "-"], input=data, capture_output=True, check=True)
    pages = result.stdout.decode("utf-8").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def page_count(data: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def flat(text: str) -> str:
    return " ".join(text.split())


def unique_month(rows: int = 110, **kwargs):
    """The sample month with a distinct description per activity, so each one can be looked for."""
    month = samples.employee_month(rows, **kwargs)
    lines = tuple(dataclasses.replace(line, description=f"Kegiatan unik nomor {number:03d}")
                  for number, line in enumerate(month.activities, start=1))
    return dataclasses.replace(month, activities=lines)


@pytest.fixture(scope="module")
def final_pdf(ctx) -> bytes:
    return employee_pdf(unique_month(), code=CODE, verify_url=VERIFY_URL)


def test_employee_report_shows_identity_period_and_every_activity(final_pdf):
    month = unique_month()
    pages = pdf_pages(final_pdf)
    text = flat("\n".join(pages))
    assert page_count(final_pdf) == len(pages) >= 3
    assert "LAPORAN KINERJA BULANAN" in text
    assert "Periode: Oktober 2026" in text
    assert "PEMERINTAH KOTA CIMAHI" in text and "DINAS KOMUNIKASI DAN INFORMATIKA" in text
    assert month.employee.name in text and month.employee.id_number in text
    assert "Penata Muda Tingkat I, III/b" in text and "Pranata Komputer Ahli Pertama" in text
    for line in month.activities:
        assert line.description in text
    assert "Kegiatan unik nomor 111" not in text
    # Indonesian numbers and dates.
    assert "6.600 / 6.600 (100%)" in text
    assert "1 Okt 2026" in text and "07.00–08.00" in text
    assert "Cimahi, 31 Oktober 2026" in text
    # Summary, SKP realisation and evaluation.
    assert "WFO 12 · WFH 8 · DL 2" in text and "35 menit" in text
    assert "Jumlah aplikasi yang dipelihara" in text and "12 Aplikasi" in text
    assert "juga: 2 Dokumen (tidak dijumlahkan)" in text
    assert "Sesuai ekspektasi" in text and "Di atas ekspektasi" in text and "Baik" in text
    assert "Belum dinilai" not in text


def test_page_numbers_and_table_header_on_every_page(final_pdf):
    total = page_count(final_pdf)
    for number, page in enumerate(pdf_pages(final_pdf), start=1):
        assert f"Halaman {number} dari {total}" in page
        assert f"Kode verifikasi: {CODE}" in flat(page)
    second = flat(pdf_pages(final_pdf, layout=True, first=2, last=2)[0])
    assert "No Tanggal Waktu Uraian kegiatan Output Mode Status" in second
    assert f"Halaman 2 dari {total}" in second
    assert "Kegiatan unik nomor 001" not in second  # a later part of the table, under a repeated header


def test_signatures_of_employee_and_appraiser_with_verification(final_pdf):
    last = flat(pdf_pages(final_pdf)[-1])
    assert "Pegawai yang Dinilai" in last and "Pejabat Penilai Kinerja" in last
    assert samples.APPRAISER.name in last and f"NIP {samples.APPRAISER.id_number}" in last
    assert f"NIP {samples.EMPLOYEE.id_number}" in last
    assert f"Verifikasi keaslian dokumen: {VERIFY_URL}" in last
    assert "Plh." not in last


def test_final_report_has_no_watermark(final_pdf):
    for page in pdf_pages(final_pdf, raw=True):
        assert not WATERMARK.search(page)
        assert "DRAF" not in page
    assert "FINAL" in "".join(pdf_pages(final_pdf))


def test_draft_report_has_watermark_on_every_page(ctx):
    month = unique_month(draft=True)
    assert month.is_draft
    data = employee_pdf(month, code=CODE, verify_url=VERIFY_URL)
    pages = pdf_pages(data, raw=True)
    assert len(pages) >= 3
    for page in pages:
        assert WATERMARK.search(page), page[:200]


def test_acting_appraiser_signs_as_plh(ctx):
    data = employee_pdf(samples.employee_month(3, acting=True), code=CODE, verify_url=VERIFY_URL)
    last = flat(pdf_pages(data)[-1])
    signature = last[last.index("Cimahi, 31 Oktober 2026"):]
    assert "Plh. Kepala Bidang Aplikasi Informatika" in signature
    assert samples.ACTING.name in signature and f"NIP {samples.ACTING.id_number}" in signature
    assert samples.APPRAISER.name not in last
    assert "Pejabat Penilai Kinerja" not in signature


def test_month_without_activities_nor_rating(ctx):
    month = samples.employee_month(0, rated=False)
    data = employee_pdf(month, code=CODE, verify_url=VERIFY_URL)
    text = flat("\n".join(pdf_pages(data)))
    assert "Tidak ada kegiatan" in text
    assert "Belum dinilai" in text
    assert page_count(data) == 1
    assert WATERMARK.search(pdf_pages(data, raw=True)[0])  # nothing approved: a draft


def test_missing_appraiser_leaves_lines_to_fill_by_hand(ctx):
    month = dataclasses.replace(samples.employee_month(2), appraiser=None)
    last = flat(pdf_pages(employee_pdf(month, code=CODE, verify_url=VERIFY_URL))[-1])
    assert "Pejabat Penilai Kinerja" in last
    assert "(......" in last and "NIP ....." in last


def test_user_text_is_printed_literally(ctx, monkeypatch):
    hostile = '<b>tebal</b> & <img src="file:///etc/hostname"> "kutip" </style></body>'
    line = ActivityLine(day=date(2026, 10, 30), start=time(8), end=time(9), minutes=60, description=hostile,
                        quantity=Decimal("1.50"), unit="Dokumen <i>", mode="WFO", status="approved",
                        status_label="Disetujui")
    month = samples.employee_month(2, extra_line=line)
    html = employee_html(month, code=CODE, verify_url=VERIFY_URL)
    assert "&lt;b&gt;tebal&lt;/b&gt; &amp; &lt;img" in html and "<b>tebal" not in html
    seen = []
    original = render.url_fetcher
    monkeypatch.setattr(render, "url_fetcher", lambda url, **kw: seen.append(url) or original(url, **kw))
    text = flat("\n".join(pdf_pages(render_pdf(html))))
    assert '<b>tebal</b> & <img src="file:///etc/hostname"> "kutip" </style></body>' in text
    assert "1,5 Dokumen <i>" in text
    assert not [url for url in seen if url.startswith("file:")]  # escaped text is no image


def test_long_descriptions_wrap_inside_the_table(ctx):
    long_text = " ".join(f"kata{number}" for number in range(150))
    token = "Z" * 180
    lines = (dataclasses.replace(samples.activity_lines(1)[0], description=long_text),
             dataclasses.replace(samples.activity_lines(1)[0], description=token))
    month = dataclasses.replace(samples.employee_month(1), activities=lines)
    pages = pdf_pages(employee_pdf(month, code=CODE, verify_url=VERIFY_URL), layout=True)
    text = "\n".join(pages)
    assert flat(text).count("kata") == 150 and "kata149" in text
    assert text.count("Z") == len(token) and token not in text  # the unbroken word is cut, not lost
    assert max(len(row) for row in text.splitlines()) < 200  # nothing ran off the page


def test_three_hundred_rows(ctx):
    data = employee_pdf(unique_month(300), code=CODE, verify_url=VERIFY_URL)
    pages = pdf_pages(data)
    total = len(pages)
    assert total >= 6
    text = flat("\n".join(pages))
    assert all(f"Kegiatan unik nomor {number:03d}" in text for number in range(1, 301))
    assert f"Halaman {total} dari {total}" in pages[-1]


def test_agency_recap_totals_and_head_signature(ctx):
    recap = samples.agency_recap(40)
    data = agency_recap_pdf(recap)
    pages = pdf_pages(data, layout=True)
    text = flat("\n".join(pages))
    assert "REKAPITULASI KINERJA PEGAWAI" in text and "Periode: Oktober 2026" in text
    assert "Dinas Komunikasi dan Informatika" in text
    for row in recap.rows:
        assert row.name in text and row.id_number in text
    minutes = format_number(recap.total("approved_minutes"), 0)
    percent = format_number(round(recap.minutes_percent, 1), 1)
    total_row = next(flat(line) for line in "\n".join(pages).splitlines() if line.strip().startswith("Jumlah"))
    days = f"{recap.total('days_filed')}/{recap.total('working_days')}"
    expected = (f"Jumlah {days} {minutes} {percent}% {recap.total('approved')} {recap.total('pending')} "
                f"{recap.total('returned')} {recap.mode_total('WFO')} {recap.mode_total('WFH')} "
                f"{recap.mode_total('DL')}")
    assert total_row == expected
    last = flat(pages[-1])
    assert "Kepala Dinas Komunikasi dan Informatika" in last and "Plh." not in last
    assert samples.APPRAISER.name in last and f"NIP {samples.APPRAISER.id_number}" in last
    assert f"Halaman 1 dari {len(pages)}" in pages[0]


def test_agency_recap_signed_by_acting_head(ctx):
    last = flat(pdf_pages(agency_recap_pdf(samples.agency_recap(2, head=samples.ACTING)))[-1])
    assert "Plh. Kepala Dinas Komunikasi dan Informatika" in last
    assert samples.ACTING.name in last and f"NIP {samples.ACTING.id_number}" in last


def test_logo_outside_static_falls_back_to_placeholder(ctx):
    assert report_pdf.logo_src(None) == render.static_url("lambang.svg")
    assert report_pdf.logo_src("../kinerja/__init__.py") == render.static_url("lambang.svg")
    assert report_pdf.logo_src("img/favicon.svg").startswith("data:image/svg+xml;base64,")


# The fetcher ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:9/x",
    "https://example.com/x",
    "ftp://example.com/x",
    "FILE:///etc/passwd",
    "javascript:alert(1)",
    "/etc/passwd",
    "lambang.svg",
    f"{render.SCHEME}:../static/css/app.css",
    f"{render.SCHEME}:fonts/../../../kinerja/__init__.py",
    f"{render.SCHEME}:%2e%2e/%2e%2e/kinerja/__init__.py",
    f"{render.SCHEME}:/etc/passwd",
    f"{render.SCHEME}:missing.svg",
    f"{render.SCHEME}:fonts",
])
def test_fetcher_refuses(url):
    with pytest.raises(RefusedURL):
        url_fetcher(url)


def test_fetcher_serves_static_reports_files_and_data_uris():
    emblem = url_fetcher(render.static_url("lambang.svg"))
    assert emblem["mime_type"] == "image/svg+xml" and emblem["string"].startswith(b"<svg")
    assert url_fetcher(render.static_url("fonts/ReportSans-Regular.ttf"))["string"][:4] == b"\x00\x01\x00\x00"
    data = url_fetcher("data:image/png;base64,aGFsbw==")
    assert data["string"] == b"halo" and data["mime_type"] == "image/png"


def test_fetcher_refuses_symlinks_out_of_static_reports(tmp_path, monkeypatch):
    root = tmp_path / "reports"
    root.mkdir()
    (root / "ok.svg").write_text("<svg/>")
    secret = tmp_path / "secret.txt"
    secret.write_text("rahasia")
    (root / "link.svg").symlink_to(secret)
    monkeypatch.setattr(render, "STATIC_DIR", root)
    assert url_fetcher(render.static_url("ok.svg"))["string"] == b"<svg/>"
    with pytest.raises(RefusedURL):
        url_fetcher(render.static_url("link.svg"))


@pytest.mark.parametrize("xml", [False, True], ids=["html5", "xml"])
def test_rendering_never_loads_outside_resources(ctx, monkeypatch, xml):
    asked, refused, connections, file_opens = [], [], [], []
    original = render.url_fetcher
    render.shared()  # the process's fonts and stylesheet, loaded once (through the same fetcher) before the spy

    def spy(url, **kwargs):
        asked.append(url)
        try:
            return original(url, **kwargs)
        except RefusedURL:
            refused.append(url)
            raise

    def no_connect(self, address):
        connections.append(address)
        raise AssertionError("network access while rendering")

    monkeypatch.setattr(render, "url_fetcher", spy)
    monkeypatch.setattr(socket.socket, "connect", no_connect)
    monkeypatch.setattr(urllib.request.FileHandler, "file_open", lambda self, req: file_opens.append(req))
    emblem = render.static_url("lambang.svg")
    html = f"""<!doctype html><html><head>
      <link rel="stylesheet" href="https://example.com/x.css">
      <style>@import url(file:///etc/passwd); p {{ background: url(http://127.0.0.1:9/x.png) }}</style>
      </head><body><p>Isi laporan</p><img src="file:///etc/hostname"><img src="lambang.svg">
      <img src="{emblem}"></body></html>"""
    if xml:  # the same document well-formed, so that it takes the XML parser
        html = re.sub(r"<(link|img)([^>]*)>", r"<\1\2/>", html.replace("<!doctype", "<!DOCTYPE"))
    assert (internals.xml_tree(html) is not None) is xml
    data = render_pdf(html)
    assert "Isi laporan" in pdf_pages(data)[0]
    assert "file:///etc/hostname" in refused and "http://127.0.0.1:9/x.png" in refused
    assert "https://example.com/x.css" in refused
    assert render.static_url("lambang.svg") in asked and render.static_url("lambang.svg") not in refused
    assert set(asked) - set(refused) == {render.static_url("lambang.svg")}
    assert not connections and not file_opens


def test_vendored_regular_and_bold_faces_are_used(final_pdf):
    fonts = subprocess.run(["pdffonts", "-"], input=final_pdf, capture_output=True, check=True).stdout.decode()
    names = {line.split()[0].split("+", 1)[-1] for line in fonts.splitlines()[2:]}
    assert names == {"Report-Sans-Semi-Condensed", "Report-Sans-Bold-Semi-Condensed"}
    assert len(final_pdf) < 150 * 1024


def test_text_beyond_the_vendored_font_falls_back_and_stays_small(ctx):
    employee = dataclasses.replace(samples.EMPLOYEE, name="Nguyễn Thị Ánh, S.Kom. — 李")
    data = employee_pdf(samples.employee_month(5, employee=employee), code=CODE, verify_url=VERIFY_URL)
    assert "Nguyễn Thị Ánh, S.Kom. — 李" in flat("\n".join(pdf_pages(data)))
    assert len(data) < 150 * 1024  # the system fallback font is subset, not embedded whole


def element_tree(element) -> tuple:
    """An element as comparable data; whitespace-only text counts as none (it lays out as nothing), and the
    HTML5 parser's `xmlns` attribute on <svg> is what the XML parser reads as the namespace."""
    def text(value):
        return value if value and value.strip() else ""
    attributes = {key: value for key, value in element.attrib.items() if not key.endswith("}xmlns")}
    return (element.tag, attributes, text(element.text), text(element.tail), [element_tree(child) for child in element])


def assert_read_as_xml(html: str) -> None:
    """The report's markup takes the XML fast path, and gives the tree WeasyPrint's HTML5 parser gives."""
    root = internals.xml_tree(html)
    assert root is not None, "a report template is no longer well-formed XML: see weasyprint_internals.xml_tree"
    assert element_tree(root) == element_tree(tinyhtml5.parse(html, namespace_html_elements=False))


def test_report_templates_read_as_xml_give_the_html5_tree(ctx):
    hostile = dataclasses.replace(samples.activity_lines(1)[0], description='<b>x</b> & "y" \'z\' ]]> <!-- -->',
                                  unit="<i>")
    months = [unique_month(), samples.employee_month(3, draft=True, acting=True, rated=False),
              dataclasses.replace(samples.employee_month(2), appraiser=None),
              samples.employee_month(2, extra_line=hostile)]
    for month in months:
        assert_read_as_xml(employee_html(month, code=CODE, verify_url=VERIFY_URL + "?a=1&b=<2>"))
    assert_read_as_xml(report_pdf.agency_recap_html(samples.agency_recap(5)))
    assert_read_as_xml(report_pdf.agency_recap_html(samples.agency_recap(0, head=None)))


def test_markup_that_is_not_xml_takes_the_html5_parser(ctx):
    assert internals.xml_tree("<!DOCTYPE html><html><body><p>satu<br>dua</p></body></html>") is None
    assert internals.xml_tree('<!DOCTYPE html [<!ENTITY a "aaaa">]><html><body>&a;</body></html>') is None
    assert internals.xml_tree("<!DOCTYPE html><html><body><p>a\x0bb</p></body></html>") is None
    assert internals.xml_tree("<!DOCTYPE html><svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert internals.xml_tree("<!DOCTYPE html><html><head><base href='x/'/></head><body/></html>") is None
    data = render_pdf("<!doctype html><html><body><p>satu<br>dua &nbsp;tiga</p></body></html>")
    assert flat(pdf_pages(data)[0]) == "satu dua tiga"


def test_both_parsers_print_the_same_report(ctx, final_pdf, monkeypatch):
    monkeypatch.setattr(internals, "xml_tree", lambda html: None)
    html5 = employee_pdf(unique_month(), code=CODE, verify_url=VERIFY_URL)
    assert pdf_pages(html5, layout=True) == pdf_pages(final_pdf, layout=True)
