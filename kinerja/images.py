"""Pictures from outside (selfies, evidence, the regency's logo) stored as their pixels and nothing else.

Pillow carries an image's metadata from `info` into the file it saves: a JPEG's comment (COM segment), a PNG's
ICC profile and text, and a palette copied byte for byte. Any of them can hold a payload (a PHP/HTML polyglot
survives re-encoding in a comment), so a stored picture is rebuilt here: colours brought into sRGB from an
embedded ICC profile, palettes expanded, and no EXIF, ICC profile, comment, XMP or text written. Bytes appended
after the image data never reach the file, as only the decoded pixels are saved.
"""

from __future__ import annotations

import io

from PIL import Image, ImageCms

PLAIN_MODES = {"1", "L", "LA", "RGB", "RGBA"}
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def has_alpha(image: Image.Image) -> bool:
    return "A" in image.getbands() or "transparency" in image.info


def to_srgb(image: Image.Image, profile: bytes) -> Image.Image:
    """Colours converted from an embedded ICC profile to sRGB, so a wide-gamut phone photo keeps its look without
    its profile; a profile that cannot be applied is dropped as it is."""
    if image.mode not in ("RGB", "RGBA", "CMYK"):
        image = image.convert("RGBA" if has_alpha(image) else "RGB")
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(image, source, SRGB, outputMode="RGBA" if image.mode == "RGBA" else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def pixels_only(image: Image.Image) -> Image.Image:
    """A copy with the picture's pixels in sRGB and a plain mode (no palette), and no metadata at all."""
    profile = image.info.get("icc_profile")
    if profile:
        image = to_srgb(image, profile)
    if image.mode not in PLAIN_MODES or "transparency" in image.info:
        image = image.convert("RGBA" if has_alpha(image) else "RGB")
    clean = image.copy()
    clean.info = {}
    return clean


def encode(image: Image.Image, kind: str, **options) -> bytes:
    """The picture saved as `kind` (JPEG, PNG, WEBP) from its pixels only."""
    clean = pixels_only(image)
    if kind == "JPEG" and clean.mode != "RGB":
        clean = clean.convert("RGB")
    output = io.BytesIO()
    clean.save(output, kind, **options)
    return output.getvalue()
