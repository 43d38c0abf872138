"""Only the icons the pages use: the Bootstrap Icons font and stylesheet cut down to the `bi-*` names in the code.

`python -m kinerja.assets icons` (make icons) finds every icon name the templates, scripts and Python code use
and writes `static/vendor/bootstrap-icons-1.13.2/subset/` — a woff2 font holding only those glyphs (fontTools'
subsetter) and its stylesheet — from the full vendored files beside it, which stay as the source. The subset is
committed; tests/test_static_assets.py fails when the code uses an icon the subset lacks.

Where names are found:
- a `bi-…` class written out in a template, script, stylesheet or Python file;
- `bi-{{ … }}` built in a template: each quoted name in the expression, with the text around it
  (`bi-caret-{{ 'down' if d else 'up' }}-fill`), and when the expression is a variable, each quoted icon name
  elsewhere in that template (`{% for …, icon in [('office', …, 'building'), …] %}`);
- the Python modules that deal in icons (those that mention an `icon` field, argument or variable, such as
  kinerja/navigation.py): every string there that is an icon name.
A name written out that Bootstrap Icons does not have is reported, so a typo fails the test too.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
VENDOR = ROOT / "static" / "vendor" / "bootstrap-icons-1.13.2"
FULL_CSS = VENDOR / "bootstrap-icons.min.css"
FULL_FONT = VENDOR / "fonts" / "bootstrap-icons.woff2"
SUBSET = VENDOR / "subset"
SUBSET_CSS = SUBSET / "bootstrap-icons.css"
SUBSET_FONT = SUBSET / "bootstrap-icons.woff2"

RULE = re.compile(r'\.bi-([a-z0-9-]+)::before\{content:"\\([0-9a-f]+)"\}')
WRITTEN = re.compile(r"(?<![\w-])bi-([a-z0-9]+(?:-[a-z0-9]+)*)(?![\w{-])")
BUILT = re.compile(r"bi-([a-z0-9-]*)\{\{(.*?)\}\}([a-z0-9-]*)", re.DOTALL)
QUOTED = re.compile(r"""'([a-z0-9-]+)'|"([a-z0-9-]+)\"""")


@dataclass
class Usage:
    """Icon names the code uses ({name: where}) and names written as `bi-…` that Bootstrap Icons lacks."""

    names: dict[str, set[str]] = field(default_factory=dict)
    unknown: dict[str, set[str]] = field(default_factory=dict)

    def add(self, name: str, where: str, catalogue: dict[str, int], written: bool = False) -> None:
        if name in catalogue:
            self.names.setdefault(name, set()).add(where)
        elif written:
            self.unknown.setdefault(name, set()).add(where)


def catalogue(css: str | None = None) -> dict[str, int]:
    """{icon name: code point} from a Bootstrap Icons stylesheet (the full vendored one by default)."""
    css = FULL_CSS.read_text(encoding="utf-8") if css is None else css
    return {name: int(code, 16) for name, code in RULE.findall(css)}


def quoted(text: str) -> list[str]:
    return [single or double for single, double in QUOTED.findall(text)]


def scan_template(text: str, where: str, known: dict[str, int], usage: Usage) -> None:
    for name in WRITTEN.findall(text):
        usage.add(name, where, known, written=True)
    for prefix, expression, suffix in BUILT.findall(text):
        names = quoted(expression)
        if not names and not prefix and not suffix:  # bi-{{ icon }}: the names are quoted elsewhere in the file
            names = quoted(text)
        for name in names:
            usage.add(f"{prefix}{name}{suffix}", where, known)


def mentions_icons(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        name = (node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute)
                else node.arg if isinstance(node, ast.arg | ast.keyword) else None)
        if name == "icon":
            return True
    return False


def scan_python(text: str, where: str, known: dict[str, int], usage: Usage) -> None:
    for name in WRITTEN.findall(text):
        usage.add(name, where, known, written=True)
    tree = ast.parse(text)
    if mentions_icons(tree):
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                usage.add(node.value, f"{where}:{node.lineno}", known)


def used_icons(root: Path = ROOT, known: dict[str, int] | None = None) -> Usage:
    """Every icon name used under root's templates/, kinerja/ (Python), static/js/ and static/css/."""
    known = catalogue() if known is None else known
    usage = Usage()
    for path in sorted((root / "templates").rglob("*.html")):
        scan_template(path.read_text(encoding="utf-8"), str(path.relative_to(root)), known, usage)
    for folder in ("static/js", "static/css"):
        for path in sorted((root / folder).rglob("*.*")):
            for name in WRITTEN.findall(path.read_text(encoding="utf-8")):
                usage.add(name, str(path.relative_to(root)), known, written=True)
    for path in sorted((root / "kinerja").rglob("*.py")):
        scan_python(path.read_text(encoding="utf-8"), str(path.relative_to(root)), known, usage)
    return usage


def subset_css(names: list[str], known: dict[str, int], full_css: str, font_name: str) -> str:
    """The stylesheet for a subset: the original's licence header and shared rule, one rule per icon."""
    header = full_css[: full_css.index("*/") + 2]
    shared = re.search(r"\.bi::before,[^{]+\{[^}]+\}", full_css).group(0)
    lines = [
        header,
        f"/* Subset: the {len(names)} icons Kinerja uses. Written by `python -m kinerja.assets icons` (make icons) "
        "from bootstrap-icons.min.css; do not edit. */",
        f'@font-face{{font-display:block;font-family:bootstrap-icons;src:url("{font_name}") format("woff2")}}',
        shared,
        *(f'.bi-{name}::before{{content:"\\{known[name]:x}"}}' for name in names),
    ]
    return "\n".join(lines) + "\n"


def write_subset(names: set[str], folder: Path = SUBSET) -> tuple[Path, Path]:
    """Write the subset font and stylesheet for these icon names into folder."""
    from fontTools import subset

    full_css = FULL_CSS.read_text(encoding="utf-8")
    known = catalogue(full_css)
    ordered = sorted(names)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = True
    font = subset.load_font(str(FULL_FONT), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[known[name] for name in ordered])
    subsetter.subset(font)
    folder.mkdir(parents=True, exist_ok=True)
    font_path, css_path = folder / SUBSET_FONT.name, folder / SUBSET_CSS.name
    subset.save_font(font, str(font_path), options)
    css_path.write_text(subset_css(ordered, known, full_css, font_path.name), encoding="utf-8")
    return font_path, css_path
