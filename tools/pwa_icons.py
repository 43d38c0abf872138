"""Draw the home-screen icons of the web app manifest from the favicon's design (static/img/favicon.svg): a white
tick on the navbar's blue. Run once after changing the design and commit the PNGs:

    .venv/bin/python tools/pwa_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "img"
BLUE = (0x0F, 0x5C, 0x8C, 255)
WHITE = (255, 255, 255, 255)
TICK = [(9, 17), (14, 22), (23, 11)]  # the favicon's path on its 32-unit grid
STROKE = 3.5
SUPERSAMPLE = 4


def draw(size: int, *, maskable: bool) -> Image.Image:
    """The icon at `size` px. A maskable icon fills the square and keeps the tick inside the central 80 % that
    every launcher mask leaves visible; the plain one has the favicon's rounded corners."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=BLUE)
        scale, offset = big * 0.6 / 32, big * 0.2
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 6 / 32, fill=BLUE)
        scale, offset = big / 32, 0.0
    points = [(offset + x * scale, offset + y * scale) for x, y in TICK]
    width = round(STROKE * scale)
    pen.line(points, fill=WHITE, width=width, joint="curve")
    for x, y in points[::2]:  # round caps at both ends
        pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("icon-maskable-192.png", 192, True), ("icon-maskable-512.png", 512, True)):
        draw(size, maskable=maskable).save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
