"""The static files' build: a copy of each under a content-hashed name, precompressed, and a manifest.

`python -m kinerja.assets build` (which `make install` and `make run` call) writes `static/dist/`:
`css/app.css` becomes `dist/css/app.<12 hex>.css` beside `app.<hash>.css.gz` and `.br`, and
`dist/manifest.json` maps each source path to its hashed name and the SHA-256 of the source it was made from.
A changed file gets a new name, so browsers and nginx may cache hashed names for a year; the unchanged source
path stays servable (short cache) for pages and scripts that name it directly.

Stylesheets are copied with their relative `url(...)`s pointing at the hashed names of what they load (the icon
font), so a stylesheet's hash changes when a file it loads does. Old hashed files are kept: a page rendered just
before a deploy still finds what it names. Writing is skipped for names already there (they are
content-addressed), so a rebuild with nothing changed takes a moment.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import posixpath
import re
from pathlib import Path

import brotli

MANIFEST = "manifest.json"
HASH_LENGTH = 12
# Worth compressing: text formats and uncompressed fonts. woff2, PNG, JPEG are compressed already.
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".html", ".map", ".webmanifest", ".xml", ".ttf", ".otf",
                ".ico"}
# A compressed copy is written only when it saves at least this share of the bytes (as WhiteNoise's own
# compressor decides): below that, the work of decompressing is not worth it.
MIN_SAVING = 0.05
URL = re.compile(r"""url\(\s*(?P<quote>['"]?)(?P<url>[^'")]+?)(?P=quote)\s*\)""")
SOURCE_MAP = re.compile(rb"\n?/\*# sourceMappingURL=[^*]*\*/\s*$")


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def hashed_name(path: str, content: bytes) -> str:
    """css/app.css → css/app.<first 12 hex of the SHA-256>.css"""
    folder, name = posixpath.split(path)
    stem, dot, suffix = name.rpartition(".")
    short = digest(content)[:HASH_LENGTH]
    return posixpath.join(folder, f"{stem}.{short}.{suffix}" if dot and stem else f"{name}.{short}")


def sources(source: Path, target: Path) -> list[str]:
    """Every file under the static folder (as a/b.css paths), without the build's own folder or dotfiles."""
    found = []
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(name for name in dirs if not name.startswith(".") and Path(folder, name) != target)
        found.extend(Path(folder, name).relative_to(source).as_posix() for name in sorted(files)
                     if not name.startswith("."))
    return found


def rewrite_css(path: str, content: bytes, names: dict[str, str]) -> bytes:
    """A stylesheet whose relative url()s to built files name their hashed copies; dangling source maps dropped."""
    folder = posixpath.dirname(path)

    def replace(match: re.Match) -> str:
        url = match.group("url").strip()
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^/|^#", url):  # data:, a scheme, absolute or a fragment
            return match.group(0)
        location, _, fragment = url.partition("#")
        location = location.partition("?")[0]
        target = posixpath.normpath(posixpath.join(folder, location))
        if target not in names:
            return match.group(0)
        relative = posixpath.relpath(names[target], folder or ".")
        return f'url("{relative}{"#" + fragment if fragment else ""}")'

    rewritten = URL.sub(replace, content.decode("utf-8")).encode("utf-8")
    # The vendored stylesheets name source maps that are not shipped: from a hashed copy they would only 404.
    return rewritten if f"{path}.map" in names else SOURCE_MAP.sub(b"\n", rewritten)


def write_once(path: Path, content: bytes) -> bool:
    """Write a content-addressed file unless it is already there; True when written."""
    if path.exists() and path.stat().st_size == len(content):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    partial.replace(path)  # atomic: a server reading the folder never sees half a file
    return True


def write_compressed(path: Path, content: bytes) -> None:
    """path.gz and path.br beside a built file, each only if it saves enough."""
    if path.suffix.lower() not in COMPRESSIBLE:
        return
    for suffix, compress in ((".gz", lambda data: gzip.compress(data, compresslevel=9, mtime=0)),
                             (".br", lambda data: brotli.compress(data, quality=11))):
        variant = path.with_name(path.name + suffix)
        if variant.exists():
            continue
        packed = compress(content)
        if len(packed) <= len(content) * (1 - MIN_SAVING):
            write_once(variant, packed)


def build(source: Path, target: Path) -> dict[str, dict[str, str]]:
    """Build `target` from the static folder `source`; returns the manifest written to target/manifest.json."""
    source, target = Path(source).resolve(), Path(target).resolve()
    paths = sources(source, target)
    names: dict[str, str] = {}
    manifest: dict[str, dict[str, str]] = {}
    # Everything a stylesheet may load first, so the stylesheets can name their hashed copies.
    for path in sorted(paths, key=lambda path: path.endswith(".css")):
        original = (source / path).read_bytes()
        content = rewrite_css(path, original, names) if path.endswith(".css") else original
        names[path] = hashed_name(path, content)
        built = target / names[path]
        write_once(built, content)
        write_compressed(built, content)
        manifest[path] = {"name": names[path], "source": digest(original)}
    listing = json.dumps({"files": manifest}, indent=1, sort_keys=True).encode("utf-8")
    target.mkdir(parents=True, exist_ok=True)
    partial = target / f".{MANIFEST}.partial"
    partial.write_bytes(listing)
    partial.replace(target / MANIFEST)
    return manifest
