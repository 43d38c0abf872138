"""Static files: content-hashed URLs from the build's manifest, served precompressed with long caching.

`url_for('static', filename='css/app.css')` gives `/static/dist/css/app.<hash>.css` when the build
(`kinerja/assets/build.py`, `python -m kinerja.assets build`) holds a copy made from the file as it is now, and
the plain `/static/css/app.css` otherwise (no build yet, or a file changed since: logged, never stale). WhiteNoise
serves both in front of the app, under `flask run` and gunicorn alike: the `.br` or `.gz` copy the browser
accepts (`Vary: Accept-Encoding`), hashed names cached for a year as immutable, the plain names for
`UNVERSIONED_MAX_AGE` and revalidated by ETag. nginx serves the same files the same way in production
(deploy/nginx/kinerja.conf). With FLASK_DEBUG the app serves plain names through Flask, for editing.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise

from kinerja.assets.build import MANIFEST

BUILD_URL = "dist"  # /static/dist/…: the built, hashed copies (STATIC_BUILD_FOLDER on disk)
UNVERSIONED_MAX_AGE = 3600  # plain names: the service worker and old pages; an hour, then revalidated
VERSIONED = re.compile(rf"^/static/{BUILD_URL}/.+\.[0-9a-f]{{12}}(\.[^/.]+)?$")

_digests: dict[tuple[str, int, int], str] = {}


def source_digest(path: Path) -> str | None:
    """SHA-256 of a static source file, remembered while its size and modification time stay the same."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _digests:
        _digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _digests[key]


def load_manifest(static_folder: Path, build_folder: Path) -> tuple[dict[str, str], list[str]]:
    """({source path: its built file under the build folder} for every source unchanged since the build,
    [source paths changed or gone since the build])."""
    try:
        listing = json.loads((build_folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}, []
    current, stale = {}, []
    for path, entry in listing.items():
        if source_digest(static_folder / path) == entry["source"] and (build_folder / entry["name"]).is_file():
            current[path] = entry["name"]
        else:
            stale.append(path)
    return current, stale


def init_app(app: Flask, headers: dict[str, str]) -> None:
    """Hashed static URLs and WhiteNoise in front of the app; `headers` go on every static response."""
    if app.debug:
        return
    static_folder = Path(app.static_folder)
    build_folder = app.config.get("STATIC_BUILD_FOLDER")
    names: dict[str, str] = {}
    if build_folder:
        build_folder = Path(build_folder)
        names, stale = load_manifest(static_folder, build_folder)
        if stale:
            app.logger.warning("%d static files changed since the static build (%s): served under their plain "
                               "names until `python -m kinerja.assets build` runs", len(stale), ", ".join(stale[:5]))

    @app.url_defaults
    def versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in names:
            values["filename"] = f"{BUILD_URL}/{names[values['filename']]}"

    def add_headers(response_headers, path: str, url: str) -> None:
        for name, value in headers.items():
            response_headers[name] = value

    served = WhiteNoise(app.wsgi_app, max_age=UNVERSIONED_MAX_AGE, allow_all_origins=False,
                        add_headers_function=add_headers,
                        immutable_file_test=lambda path, url: bool(VERSIONED.match(url)))
    served.add_files(str(static_folder), prefix=app.static_url_path)
    if build_folder and build_folder.is_dir() and build_folder.resolve() != (static_folder / BUILD_URL).resolve():
        served.add_files(str(build_folder), prefix=f"{app.static_url_path}/{BUILD_URL}")
    app.wsgi_app = served
