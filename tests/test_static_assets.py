"""Page weight (docs/performance.md#page-weight): the icon subset holds every icon the code uses, the static build
names copies by content and compresses them, and the app serves them compressed and cached for a year."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import brotli
import pytest
from flask import url_for
from fontTools.ttLib import TTFont

from kinerja import create_app
from kinerja.assets import UNVERSIONED_MAX_AGE, icons, load_manifest
from kinerja.assets.build import build, hashed_name
from kinerja.extensions import db as _db
from tests.factories import PASSWORD

ONE_YEAR = 365 * 24 * 3600
ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"

# --- Icons ------------------------------------------------------------------------------------------------------


def subset_icons() -> dict[str, int]:
    return icons.catalogue(icons.SUBSET_CSS.read_text(encoding="utf-8"))


def test_every_icon_the_code_uses_is_in_the_subset():
    usage = icons.used_icons()
    missing = {f"bi-{name}": sorted(usage.names[name]) for name in set(usage.names) - set(subset_icons())}
    assert not missing, f"icons missing from the subset, run `make icons`: {missing}"
    assert {"house", "bell", "box-arrow-right", "clipboard2-check"} <= set(usage.names)  # the layout's own


def test_the_code_names_only_icons_bootstrap_icons_has():
    assert not icons.used_icons().unknown, "a bi-… class that Bootstrap Icons does not have (a typo?)"


def test_the_subset_font_draws_every_icon_of_its_stylesheet_and_no_others():
    cmap = TTFont(icons.SUBSET_FONT).getBestCmap()
    assert set(cmap) == set(subset_icons().values())
    assert icons.SUBSET_FONT.stat().st_size < icons.FULL_FONT.stat().st_size / 5


def write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text, encoding="utf-8")


def test_icons_are_found_written_out_built_in_templates_and_in_python_icon_fields(tmp_path):
    write(tmp_path, "templates/a.html", '<i class="bi bi-rocket"></i> '
          '<i class="bi bi-caret-{{ "down" if d else "up" }}-fill"></i>')
    write(tmp_path, "templates/b.html", "{% for label, icon in [('Satu', 'airplane'), ('Dua', 'not-one')] %}"
          "<i class=\"bi bi-{{ icon }}\"></i>{% endfor %}")
    write(tmp_path, "templates/c.html", "<p class=\"alert-{{ 'info' }}\">{{ 'trophy' }}</p> "
          "<i class=\"bi bi-bjork\"></i>")
    write(tmp_path, "kinerja/nav.py", 'from x import Item\nITEMS = [Item("Beranda", "/", icon="umbrella"), "tree"]\n')
    write(tmp_path, "kinerja/other.py", 'LABELS = ["lock", "key"]\nCSS = "bi-bucket"\n')
    write(tmp_path, "static/js/a.js", 'button.className = "bi bi-cloud-sun";\n')
    write(tmp_path, "static/css/a.css", ".bi-gift { color: red; }\n")

    usage = icons.used_icons(tmp_path)

    assert set(usage.names) == {"rocket", "caret-down-fill", "caret-up-fill", "airplane", "umbrella", "tree",
                                "bucket", "cloud-sun", "gift"}
    assert set(usage.unknown) == {"bjork"}  # written out but not an icon; "not-one" was only a quoted word
    assert set(usage.names) - set(subset_icons()) >= {"rocket", "airplane"}  # so the subset test would fail


def test_the_subset_is_what_the_generator_writes(tmp_path):
    font, css = icons.write_subset(set(subset_icons()), tmp_path)
    assert css.read_text(encoding="utf-8") == icons.SUBSET_CSS.read_text(encoding="utf-8")
    assert TTFont(font).getBestCmap() == TTFont(icons.SUBSET_FONT).getBestCmap()


# --- The build --------------------------------------------------------------------------------------------------


@pytest.fixture()
def source(tmp_path) -> Path:
    root = tmp_path / "static"
    write(root, "css/site.css", 'body{background:url("../img/dot.svg?v=1#a")}\n'
          '.x{background:url(data:image/png;base64,AAAA)}\n@font-face{src:url(fonts/f.woff2)}\n' + "p{}\n" * 200
          + "/*# sourceMappingURL=site.css.map */\n")
    write(root, "css/fonts/f.woff2", "not really a font")
    write(root, "img/dot.svg", "<svg xmlns='http://www.w3.org/2000/svg'>" + "<g/>" * 200 + "</svg>")
    write(root, "js/app.js", "console.log('kinerja');\n" * 50)
    return root


def test_the_build_names_copies_by_content_and_points_stylesheets_at_them(source, tmp_path):
    manifest = build(source, tmp_path / "dist")

    svg, font = manifest["img/dot.svg"]["name"], manifest["css/fonts/f.woff2"]["name"]
    assert svg == hashed_name("img/dot.svg", (source / "img/dot.svg").read_bytes())
    assert re.fullmatch(r"img/dot\.[0-9a-f]{12}\.svg", svg)
    css = (tmp_path / "dist" / manifest["css/site.css"]["name"]).read_text(encoding="utf-8")
    assert f'url("../{svg}#a")' in css and f'url("{font.removeprefix("css/")}")' in css
    assert "url(data:image/png;base64,AAAA)" in css and "sourceMappingURL" not in css
    assert json.loads((tmp_path / "dist" / "manifest.json").read_text())["files"] == manifest


def test_the_build_compresses_text_but_not_fonts(source, tmp_path):
    manifest = build(source, tmp_path / "dist")
    script = tmp_path / "dist" / manifest["js/app.js"]["name"]
    assert gzip.decompress(Path(f"{script}.gz").read_bytes()) == script.read_bytes()
    assert brotli.decompress(Path(f"{script}.br").read_bytes()) == script.read_bytes()
    font = tmp_path / "dist" / manifest["css/fonts/f.woff2"]["name"]
    assert font.exists() and not Path(f"{font}.gz").exists() and not Path(f"{font}.br").exists()


def test_a_changed_file_gets_a_new_name_and_so_does_the_stylesheet_that_loads_it(source, tmp_path):
    before = build(source, tmp_path / "dist")
    write(source, "img/dot.svg", "<svg xmlns='http://www.w3.org/2000/svg'><circle r='1'/></svg>")
    after = build(source, tmp_path / "dist")

    assert after["img/dot.svg"]["name"] != before["img/dot.svg"]["name"]
    assert after["css/site.css"]["name"] != before["css/site.css"]["name"]  # its url() changed
    assert after["js/app.js"] == before["js/app.js"]
    assert (tmp_path / "dist" / before["css/site.css"]["name"]).exists()  # a page from before still finds it


def test_files_changed_since_the_build_are_served_under_their_plain_names(source, tmp_path):
    build(source, tmp_path / "dist")
    write(source, "js/app.js", "console.log('edited');\n")
    current, stale = load_manifest(source, tmp_path / "dist")
    assert stale == ["js/app.js"]
    assert set(current) == {"css/site.css", "css/fonts/f.woff2", "img/dot.svg"}
    assert load_manifest(source, tmp_path / "nothing-built") == ({}, [])


# --- Serving ----------------------------------------------------------------------------------------------------

LAYOUT_FILES = ["vendor/bootstrap-5.3.9/bootstrap.min.css", "vendor/bootstrap-5.3.9/bootstrap.bundle.min.js",
                "vendor/bootstrap-icons-1.13.2/subset/bootstrap-icons.css",
                "vendor/bootstrap-icons-1.13.2/subset/bootstrap-icons.woff2", "css/app.css", "js/app.js",
                "js/offline-queue.js", "js/pwa.js", "img/favicon.svg"]


@pytest.fixture(scope="module")
def built_static(tmp_path_factory) -> Path:
    """The layout's static files built into a folder of the test's own (not static/dist, which `make` owns)."""
    source, target = tmp_path_factory.mktemp("static"), tmp_path_factory.mktemp("dist")
    for path in LAYOUT_FILES:
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(STATIC / path, source / path)
    build(source, target)
    return target


class Recorder:
    """WSGI middleware that notes the path of every request that reaches the server."""

    def __init__(self, application) -> None:
        self.application, self.paths = application, []

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        return self.application(environ, start_response)


@pytest.fixture(scope="module")
def app(app, built_static):
    """The suite's app on the same database, with the static build (the suite's own runs without one)."""
    built = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                       UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"], REPORT_FOLDER=app.config["REPORT_FOLDER"],
                       STATIC_BUILD_FOLDER=str(built_static))
    built.test_client_class = app.test_client_class
    built.wsgi_app = built.recorder = Recorder(built.wsgi_app)
    yield built
    with built.app_context():
        _db.session.remove()
        _db.engine.dispose()


def layout_links(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_pages_name_the_hashed_copies(client):
    links = layout_links(client.get("/masuk").get_data(as_text=True))
    assert len(links) == len(LAYOUT_FILES) - 1  # the font is named by the icons' stylesheet
    assert all(re.fullmatch(r"/static/dist/.+\.[0-9a-f]{12}\.\w+", link) for link in links), links


@pytest.mark.parametrize(("accept", "encoding"), [("br, gzip", "br"), ("gzip", "gzip"), ("identity", None)])
def test_hashed_files_are_sent_compressed_as_accepted_and_cached_for_a_year(client, accept, encoding):
    for link in layout_links(client.get("/masuk").get_data(as_text=True)):
        response = client.get(link, headers={"Accept-Encoding": accept})
        assert response.status_code == 200, link
        assert response.headers.get("Content-Encoding") == encoding, link
        assert "Accept-Encoding" in response.headers["Vary"]
        cache = response.headers["Cache-Control"]
        assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) >= ONE_YEAR, link
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_icon_font_named_by_the_stylesheet_is_served_for_a_year(client):
    page = client.get("/masuk").get_data(as_text=True)
    stylesheet = next(link for link in layout_links(page) if "bootstrap-icons" in link)
    font = re.search(r'url\("([^"]+\.woff2)"\)', client.get(stylesheet).get_data(as_text=True)).group(1)
    response = client.get(f"{stylesheet.rpartition('/')[0]}/{font}", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200 and response.mimetype == "font/woff2"
    assert "Content-Encoding" not in response.headers  # woff2 is compressed already
    assert "immutable" in response.headers["Cache-Control"]


def test_plain_names_keep_working_with_a_short_cache(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == f"max-age={UNVERSIONED_MAX_AGE}, public"
    assert "immutable" not in response.headers["Cache-Control"]
    assert client.get("/static/css/app.css", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get("/static/dist/css/app.000000000000.css").status_code == 404


def test_with_flask_debug_pages_name_plain_files_for_editing(app, built_static):
    debugging = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], DEBUG=True,
                           STATIC_BUILD_FOLDER=str(built_static))
    with debugging.test_request_context():
        assert url_for("static", filename="css/app.css") == "/static/css/app.css"
    with app.test_request_context():
        assert url_for("static", filename="css/app.css").startswith("/static/dist/css/app.")
    with debugging.app_context():
        _db.engine.dispose()


def test_pages_themselves_are_never_cached(client):
    assert client.get("/masuk").headers["Cache-Control"] == "no-store"


# --- In the browser ---------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_returning_visitor_fetches_no_static_file_again(browser, live_server, org, app):
    # The HTTP caching alone: the service worker's own store of files for offline use is tested in test_pwa.py.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID", service_workers="block")
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    app.recorder.paths.clear()
    page.goto(f"{live_server}/masuk", wait_until="networkidle")

    fetched = [path for path in app.recorder.paths if path.startswith("/static/")]
    assert len(fetched) == len(LAYOUT_FILES), fetched  # the font too, loaded for the page's icons
    for response in responses:
        if "/static/" in response.url:
            headers = response.all_headers()
            assert "immutable" in headers["cache-control"], response.url
            assert response.url.endswith(".woff2") or headers.get("content-encoding") in ("br", "gzip"), response.url
    assert page.evaluate("[...document.fonts].some(f => f.family.includes('bootstrap-icons') && "
                         "f.status === 'loaded')")

    app.recorder.paths.clear()
    page.goto(f"{live_server}/masuk", wait_until="networkidle")
    page.get_by_label("NIP / nama pengguna").fill(org.staff_a.id_number)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk").click()
    page.get_by_role("link", name="Beranda").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert [path for path in app.recorder.paths if path.startswith("/static/")] == []
    assert {"/masuk", "/"} <= set(app.recorder.paths)
    context.close()
