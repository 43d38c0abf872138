"""Report PDFs: one employee's 110-row monthly report (≈4-5 pages), optimised renderer against a straightforward one.

python -m bench.reports_pdf [--repeat N] [--renders N] [--steps] [--depths]

Baseline (bench/templates_baseline/): the same content and look written the obvious way: the stylesheet inline
in the HTML (parsed on every render), automatic table layout, collapsed borders, the system DejaVu Sans Condensed
by name, a new FontConfiguration per render, WeasyPrint's default fetcher and subsetting.
Optimised: kinerja.reports.pdf.employee_pdf (see kinerja/reports/render.py for what it does and why).
Both run in the same process, interleaved, so machine noise hits both alike. Prints p50/p95 of each, the ratio,
the file sizes and the RSS growth of the optimised renderer over N renders (default 200) in this process.
--steps also measures each optimisation applied one after another; --depths, one optimised render started at several
call depths with and without render.with_frame_headroom (without it, the time depends on where the render starts).
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader

from bench.timing import percentiles, report
from kinerja import create_app
from kinerja.reports import pdf as report_pdf
from kinerja.reports import render
from tests.report_samples import employee_month

TARGET_MS = 500
BASELINE_DIR = Path(__file__).resolve().parent / "templates_baseline"
CODE, VERIFY_URL = "K7Q2-M9XD", "https://kinerja.example.go.id/verifikasi/K7Q2-M9XD"


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Bench:
    def __init__(self, app, rows: int = 110) -> None:
        self.app = app
        self.month = employee_month(rows)
        self.env = app.jinja_env.overlay(loader=ChoiceLoader([FileSystemLoader(str(BASELINE_DIR)),
                                                             app.jinja_env.loader]))

    def baseline_html(self) -> str:
        from flask_babel import force_locale

        with force_locale("id"):
            context = report_pdf.employee_context(self.month, code=CODE, verify_url=VERIFY_URL)
            context["logo"] = "lambang.svg"  # relative to the base URL, through WeasyPrint's own fetcher
            return self.env.get_template("employee_month.html").render(context)

    def baseline(self) -> bytes:
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration

        html = self.baseline_html()
        return HTML(string=html, base_url=str(render.STATIC_DIR) + "/").write_pdf(font_config=FontConfiguration())

    def optimised(self) -> bytes:
        return report_pdf.employee_pdf(self.month, code=CODE, verify_url=VERIFY_URL)

    # The optimisations one after another (--steps).
    def steps(self) -> list[tuple[str, Callable[[], bytes]]]:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        from kinerja.reports.weasyprint_internals import ReportHTML

        fetcher, _, _ = render.shared()
        report_css = (render.STATIC_DIR / render.STYLESHEET).read_text("utf-8")
        system_css = "\n".join(line for line in report_css.splitlines() if not line.startswith("@font-face"))
        system_css = system_css.replace('"Report Sans", ', "").replace('"Report Sans"', '"DejaVu Sans Condensed"')
        baseline_css = (BASELINE_DIR / "baseline.css").read_text("utf-8")
        shared_fonts = FontConfiguration()
        vendored_fonts = FontConfiguration()
        parsed_baseline = CSS(string=baseline_css, font_config=shared_fonts)
        parsed_fixed = CSS(string=system_css, font_config=shared_fonts)
        parsed_vendored = CSS(string=report_css, base_url=render.BASE_URL, url_fetcher=fetcher,
                              font_config=vendored_fonts)
        html = report_pdf.employee_html(self.month, code=CODE, verify_url=VERIFY_URL)

        def shared_font_config() -> bytes:
            return HTML(string=self.baseline_html(), base_url=str(render.STATIC_DIR) + "/").write_pdf(
                font_config=shared_fonts)

        class Html5ReportHTML(ReportHTML):
            """The trimmed UA stylesheet alone: the markup read by WeasyPrint's HTML5 parser."""

            def __init__(self, *, string: str, base_url: str, url_fetcher) -> None:
                HTML.__init__(self, string=string, base_url=base_url, url_fetcher=url_fetcher)

        def with_css(css, fonts, html_class=HTML, headroom: bool = False, paused_gc: bool = False,
                     **options) -> Callable[[], bytes]:
            def write(html: str) -> bytes:
                document = html_class(string=html, base_url=render.BASE_URL, url_fetcher=fetcher)
                return document.write_pdf(stylesheets=[css], font_config=fonts, **options)

            def run() -> bytes:
                html = report_pdf.employee_html(self.month, code=CODE, verify_url=VERIFY_URL)
                with render.paused_cyclic_gc() if paused_gc else nullcontext():
                    return render.with_frame_headroom(write, html) if headroom else write(html)
            return run

        assert html
        return [
            ("baseline", self.baseline),
            ("+ one shared FontConfiguration", shared_font_config),
            ("+ stylesheet parsed once (auto layout)", with_css(parsed_baseline, shared_fonts)),
            ("+ fixed layout, separate borders", with_css(parsed_fixed, shared_fonts)),
            ("+ same, full_fonts (system DejaVu)", with_css(parsed_fixed, shared_fonts, full_fonts=True)),
            ("+ vendored Latin subset font", with_css(parsed_vendored, vendored_fonts)),
            ("+ vendored font, full_fonts (kept)", with_css(parsed_vendored, vendored_fonts, full_fonts=True)),
            ("+ trimmed UA stylesheet", with_css(parsed_vendored, vendored_fonts, Html5ReportHTML, full_fonts=True)),
            ("+ cyclic GC paused while rendering", with_css(parsed_vendored, vendored_fonts, Html5ReportHTML,
                                                            paused_gc=True, full_fonts=True)),
            ("+ markup read as XML", with_css(parsed_vendored, vendored_fonts, ReportHTML, paused_gc=True,
                                              full_fonts=True)),
            ("+ frame headroom (kept = optimised)", with_css(parsed_vendored, vendored_fonts, ReportHTML, True,
                                                             True, full_fonts=True)),
            ("+ uncompressed_pdf (rejected)", with_css(parsed_vendored, vendored_fonts, ReportHTML, True, True,
                                                       full_fonts=True, uncompressed_pdf=True)),
        ]


def interleaved(actions: list[tuple[str, Callable[[], bytes]]], repeat: int, warmup: int = 2) -> dict:
    """Wall p50/p95 (ms), CPU p50 (ms, this process only: less sensitive to other load on a shared machine)
    and size of each action, run in turn so that noise hits them alike."""
    samples: dict[str, list[float]] = {name: [] for name, _ in actions}
    cpu: dict[str, list[float]] = {name: [] for name, _ in actions}
    sizes: dict[str, int] = {}
    for _ in range(warmup):
        for name, action in actions:
            sizes[name] = len(action())
    for _ in range(repeat):
        for name, action in actions:
            start, start_cpu = time.perf_counter(), time.process_time()
            action()
            samples[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append((time.process_time() - start_cpu) * 1000)
    return {name: (*percentiles(values), sizes[name], percentiles(cpu[name])[0])
            for name, values in samples.items()}


def memory(action: Callable[[], bytes], renders: int) -> tuple[float, float, float, float]:
    """RSS before and after `renders` renders (after a warm-up of 10), the growth, in MB, and the page faults per
    render (CPython's frame chunks mapped again and again show here: see render.FRAME_SLOTS)."""
    for _ in range(10):
        action()
    gc.collect()
    before, faults = rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(renders):
        action()
    gc.collect()
    after, faults = rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    return before, after, after - before, faults / renders


def at_depth(depth: int, action: Callable[[], bytes]) -> bytes:
    return action() if depth == 0 else at_depth(depth - 1, action)


def depths(bench: Bench, levels: range = range(0, 48, 4)) -> None:
    """CPU time and page faults of a render started `level` calls deeper, from the headroom frame and without it."""
    html = report_pdf.employee_html(bench.month, code=CODE, verify_url=VERIFY_URL)
    fetcher, font_config, stylesheet = render.shared()

    def plain() -> bytes:
        return render._write_pdf(html, stylesheet, fetcher, font_config, render.PDF_OPTIONS)

    ways = {"without headroom": plain, "with headroom": lambda: render.with_frame_headroom(plain)}
    seen: dict[str, list[tuple[float, int]]] = {name: [] for name in ways}
    print(f"\n{'call depth':<12}" + "".join(f"{name + ' CPU ms':>26}{'faults':>9}" for name in ways))
    for level in levels:
        row = f"{level:<12}"
        for name, way in ways.items():
            with render.paused_cyclic_gc():
                faults, start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, time.process_time()
                at_depth(level, way)
                cpu = (time.process_time() - start) * 1000
                faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
            seen[name].append((cpu, faults))
            row += f"{cpu:26.1f}{faults:9,d}"
        print(row)
    for name, values in seen.items():
        cpus, faults = [cpu for cpu, _ in values], [fault for _, fault in values]
        print(f"{name}: CPU {min(cpus):.0f}-{max(cpus):.0f} ms, {min(faults):,}-{max(faults):,} page faults per render")


def run(repeat: int, renders: int, steps: bool, depth_sweep: bool = False) -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():
        bench = Bench(app)
        print(f"Report PDF: employee month, {len(bench.month.activities)} activities, warm, interleaved, "
              f"{repeat} runs each")
        results = interleaved([("baseline", bench.baseline), ("optimised", bench.optimised)], repeat)
        (b50, b95, bsize, bcpu), (o50, o95, osize, ocpu) = results["baseline"], results["optimised"]
        report([("baseline (bench/templates_baseline)", b50, b95, None),
                ("optimised (kinerja.reports.pdf)", o50, o95, TARGET_MS)])
        print(f"CPU p50: baseline {bcpu:.1f} ms, optimised {ocpu:.1f} ms")
        print(f"ratio baseline/optimised p50: wall {b50 / o50:.2f}x ({'ok' if b50 / o50 >= 2 else 'BELOW 2x'}), "
              f"CPU {bcpu / ocpu:.2f}x")
        print(f"file size: baseline {bsize / 1024:.1f} KB, optimised {osize / 1024:.1f} KB "
              f"({'ok' if osize <= 150 * 1024 else 'OVER 150 KB'})")
        if steps:
            print("\nOptimisations applied one after another:")
            step_results = interleaved(bench.steps(), max(3, repeat // 2))
            first = step_results["baseline"][0]
            first_cpu = step_results["baseline"][3]
            print(f"{'step':<48} {'p50 ms':>8} {'vs base':>8} {'CPU ms':>8} {'vs base':>8} {'size KB':>8}")
            for name, (p50, _p95, size, cpu) in step_results.items():
                print(f"{name:<48} {p50:8.1f} {100 * (p50 / first - 1):+7.0f}% {cpu:8.1f} "
                      f"{100 * (cpu / first_cpu - 1):+7.0f}% {size / 1024:8.1f}")
        if depth_sweep:
            depths(bench)
        if renders:
            before, after, growth, faults = memory(bench.optimised, renders)
            print(f"\nRSS over {renders} optimised renders: {before:.1f} MB -> {after:.1f} MB "
                  f"(growth {growth:+.1f} MB); {faults:,.0f} page faults per render")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--renders", type=int, default=200, help="renders for the RSS check (0 to skip)")
    parser.add_argument("--steps", action="store_true", help="measure each optimisation in turn")
    parser.add_argument("--depths", action="store_true", help="renders started at several call depths")
    args, _ = parser.parse_known_args()
    run(args.repeat, args.renders, args.steps, args.depths)


if __name__ == "__main__":
    main()
