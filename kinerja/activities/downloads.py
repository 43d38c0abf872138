"""The name a stored evidence file is downloaded under."""

from __future__ import annotations

from pathlib import PurePath

SAME_KIND = {".jpeg": ".jpg"}


def download_name(original_name: str | None, stored_name: str) -> str:
    """The uploader's file name with the extension of what the file really is (the stored name's, decided from
    the content): "laporan.html" holding a PDF downloads as "laporan.pdf", so opening the saved file can never
    hand a script to the browser as a local HTML page."""
    extension = PurePath(stored_name).suffix.lower()
    name = PurePath((original_name or "").replace("\\", "/")).name.strip() or "bukti"
    stem, suffix = PurePath(name).stem, PurePath(name).suffix.lower()
    if SAME_KIND.get(suffix, suffix) == extension:
        return name
    return f"{stem if suffix else name}{extension}"
