"""The web app manifest, the service worker (served from the site root so that it controls every page) and the
offline page. None of them depends on who is signed in: they are the same bytes for everyone, so a cached copy
can never show one user's data to another."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Response, current_app, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from kinerja.extensions import limiter
from kinerja.pwa import bp

# What every page of the layout (templates/base.html) loads, and the day page's script: precached so that a kept day
# page opens offline.
LAYOUT_ASSETS = (
    "vendor/bootstrap-5.3.9/bootstrap.min.css",
    "vendor/bootstrap-icons-1.13.2/subset/bootstrap-icons.css",
    "vendor/bootstrap-icons-1.13.2/subset/bootstrap-icons.woff2",
    "css/app.css",
    "img/favicon.svg",
    "img/icon-192.png",
    "vendor/bootstrap-5.3.9/bootstrap.bundle.min.js",
    "js/app.js",
    "js/offline-queue.js",
    "js/pwa.js",
    "js/offline-day.js",  # the day page's own script
)
THEME_COLOUR = "#0f5c8c"  # the navbar's --kinerja-primary (static/css/app.css)
SERVICE_WORKER = "js/service-worker.js"
# The cached day pages, as the service worker recognises them (kinerja/activities: /kegiatan/<day>).
DAY_PAGE = r"^/kegiatan/\d{4}-\d{2}-\d{2}$"


def no_cache(response: Response) -> Response:
    """Asked again on every use (a new deployment is picked up at once), but allowed to be stored."""
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest.webmanifest")
@limiter.exempt
def manifest():
    icons = [{"src": url_for("static", filename=f"img/{name}"), "sizes": size, "type": "image/png", "purpose": purpose}
             for name, size, purpose in (("icon-192.png", "192x192", "any"), ("icon-512.png", "512x512", "any"),
                                         ("icon-maskable-192.png", "192x192", "maskable"),
                                         ("icon-maskable-512.png", "512x512", "maskable"))]
    body = {
        "name": "Kinerja",
        "short_name": "Kinerja",
        "description": _("Portal e-kinerja pemerintah daerah: kegiatan harian, presensi, dan SKP."),
        "lang": str(get_locale()),
        "id": url_for("main.home"),
        "start_url": url_for("main.home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": icons,
    }
    response = current_app.response_class(json.dumps(body, ensure_ascii=False),
                                          mimetype="application/manifest+json")
    return no_cache(response)


def precache_urls() -> list[str]:
    """The layout's static files and the offline page, addressed as the pages address them (url_for follows
    whatever versioning of static names the app uses)."""
    return [url_for("static", filename=name) for name in LAYOUT_ASSETS] + [url_for("pwa.offline")]


def content_version(urls: list[str]) -> str:
    """A digest of the worker, its settings and the files it precaches: a deployment that changes any of them
    changes the worker's bytes, so browsers install the new one and precache afresh even where static names are
    not versioned."""
    state = current_app.extensions.setdefault("kinerja-pwa", {})
    key = (current_app.static_folder, *urls)  # read once per process: a deployment restarts it
    if state.get("key") != key:
        digest = hashlib.sha256("\n".join(urls).encode())
        for name in (*LAYOUT_ASSETS, SERVICE_WORKER):
            digest.update(Path(current_app.static_folder, name).read_bytes())
        state.update(key=key, version=digest.hexdigest()[:16])
    return state["version"]


@bp.route("/service-worker.js")
@limiter.exempt
def service_worker():
    urls = precache_urls()
    settings = {
        "version": content_version(urls),
        "precache": urls,
        "offlinePage": url_for("pwa.offline"),
        "dayPage": DAY_PAGE,
        "dayHome": url_for("activities.today"),
        "staticPrefix": current_app.static_url_path + "/",
        "queueScript": url_for("static", filename="js/offline-queue.js"),
        "queueState": url_for("activities.queue_state"),
    }
    source = Path(current_app.static_folder, SERVICE_WORKER).read_text("utf-8")
    body = f"self.KINERJA_SW = {json.dumps(settings)};\n{source}"
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return no_cache(response)


@bp.route("/luring")
def offline():
    """What the service worker shows for a page it has no copy of while the connection is down."""
    return no_cache(current_app.make_response(render_template("pwa/offline.html", lang=str(get_locale()))))
