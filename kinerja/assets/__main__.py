"""python -m kinerja.assets build [--source static] [--target static/dist]   (make static: hashed, compressed copies)
python -m kinerja.assets icons [--check]                                    (make icons: the icon font subset)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kinerja.assets import icons
from kinerja.assets.build import build

ROOT = Path(__file__).resolve().parent.parent.parent


def run_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    manifest = build(args.source, args.target)
    print(f"static build: {len(manifest)} files in {args.target} ({time.perf_counter() - started:.1f} s)")
    return 0


def run_icons(args: argparse.Namespace) -> int:
    usage = icons.used_icons()
    for name, places in sorted(usage.unknown.items()):
        print(f"not a Bootstrap Icons name: bi-{name} ({', '.join(sorted(places))})", file=sys.stderr)
    in_subset = set(icons.catalogue(icons.SUBSET_CSS.read_text(encoding="utf-8"))) if icons.SUBSET_CSS.exists() \
        else set()
    missing = sorted(set(usage.names) - in_subset)
    if args.check:
        for name in missing:
            print(f"missing from the icon subset: bi-{name} ({', '.join(sorted(usage.names[name]))})",
                  file=sys.stderr)
        extra = sorted(in_subset - set(usage.names))
        if extra:
            print(f"in the subset but unused: {', '.join(extra)}")
        return 1 if missing or usage.unknown else 0
    font, css = icons.write_subset(set(usage.names))
    print(f"icon subset: {len(usage.names)} icons, {font.stat().st_size:,} bytes of font "
          f"({icons.FULL_FONT.stat().st_size:,} in full), {css.stat().st_size:,} bytes of stylesheet")
    return 1 if usage.unknown else 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m kinerja.assets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    building = commands.add_parser("build", help="hashed, precompressed copies of static/ and their manifest")
    building.add_argument("--source", type=Path, default=ROOT / "static")
    building.add_argument("--target", type=Path, default=ROOT / "static" / "dist")
    building.set_defaults(run=run_build)
    subsetting = commands.add_parser("icons", help="write the icon font subset for the icons the code uses")
    subsetting.add_argument("--check", action="store_true", help="only say whether the subset has them all")
    subsetting.set_defaults(run=run_icons)
    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
