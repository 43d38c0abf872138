"""Run the calendar-sensitive tests (marked `calendar`) with the clock set to awkward moments: `make test-dates`.

Each moment runs in its own pytest process with KINERJA_CLOCK set, running from that instant, so the app, its
fixtures and every process a test starts see the same day. Extra arguments go to pytest (`-x`, `-k name`,
`-m "not browser"`); `--only NAME` picks moments; `--all` runs the whole suite instead of the marked tests;
`--list` names the moments (CI runs each as a job of its own).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from pathlib import Path

from kinerja import clock

MOMENTS: dict[str, tuple[str, str]] = {
    "weekend": ("2026-12-05T10:00:00+07:00", "a Saturday morning"),
    "cuti-bersama": ("2026-12-24T10:00:00+07:00", "Christmas cuti bersama, a Thursday"),
    "late-evening": ("2026-12-08T16:30:00+00:00", "23.30 WIB, already Wednesday in WITA and WIT"),
    "new-year": ("2026-12-31T17:30:00+00:00", "00.30 WIB on 1 January, while UTC is still in the old year"),
    "ramadan-monday": ("2027-02-22T09:30:00+07:00", "a Monday morning inside Ramadan 1448, after the apel"),
    "month-end": ("2027-04-30T16:30:00+07:00", "the last day of a month, a Friday afternoon"),
    "leap-day": ("2028-02-29T10:00:00+07:00", "29 February, a Tuesday"),
}


def counts(report: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) from a JUnit XML report; a run that wrote none counts as one failure."""
    if not report.exists():
        return 0, 1, 0
    # The report is the one our own pytest process just wrote, not outside input.
    suites = ElementTree.parse(report).getroot()  # noqa: S314
    suites = [suites] if suites.tag == "testsuite" else list(suites)
    total = sum(int(suite.get("tests", 0)) for suite in suites)
    failed = sum(int(suite.get("failures", 0)) + int(suite.get("errors", 0)) for suite in suites)
    skipped = sum(int(suite.get("skipped", 0)) for suite in suites)
    return total - failed - skipped, failed, skipped


def run(name: str, instant: str, pytest_args: list[str], whole: bool, folder: Path) -> tuple[int, int, int]:
    report = folder / f"{name}.xml"
    environment = dict(os.environ)
    environment[clock.SETTING] = clock.setting(datetime.fromisoformat(instant), running=True)
    selection = [] if whole else ["-m", "calendar"]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}",
               *selection, *pytest_args]
    subprocess.run(command, env=environment, check=False)
    return counts(report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(MOMENTS), help="run only these moments")
    parser.add_argument("--all", action="store_true", help="the whole suite instead of the `calendar` tests")
    parser.add_argument("--list", action="store_true", help="print the moments' names, one a line, and stop")
    options, pytest_args = parser.parse_known_args(argv)
    if options.list:
        print("\n".join(MOMENTS))
        return 0
    chosen = options.only or list(MOMENTS)
    totals = [0, 0, 0]
    lines = []
    with tempfile.TemporaryDirectory(prefix="kinerja-dates-") as folder:
        for name in chosen:
            instant, why = MOMENTS[name]
            print(f"\n==== {name}: clock at {instant} ({why})", flush=True)
            started = time.monotonic()
            passed, failed, skipped = run(name, instant, pytest_args, options.all, Path(folder))
            totals = [totals[0] + passed, totals[1] + failed, totals[2] + skipped]
            lines.append(f"{name:<13} {instant:<26} {passed:>5} passed {failed:>3} failed {skipped:>3} skipped"
                         f" {time.monotonic() - started:>6.0f} s")
    print("\n==== the suite at other dates\n" + "\n".join(lines))
    print(f"dates: {totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main())
