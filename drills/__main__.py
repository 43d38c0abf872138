"""Run the fault drills: python -m drills [pg_restart redis_down worker_killed disk_full].

Each drill gets its own private PostgreSQL, Redis, folders and app processes, removed when it ends (also on
failure). Prints one PASS/FAIL line with figures per drill and exits non-zero if any failed.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from contextlib import ExitStack
from pathlib import Path

from drills.result import DrillResult
from drills.servers import DrillError, new_world

DRILLS = ("pg_restart", "redis_down", "worker_killed", "disk_full")  # modules of this package with run(world)


def tracebacks(lines: list[str], limit: int = 3) -> list[str]:
    """The last `limit` tracebacks in a log, each up to the line naming the exception."""
    found, current = [], None
    for line in lines:
        if line.startswith("Traceback"):
            current = [line]
        elif current is not None:
            current.append(line)
            if line and not line.startswith((" ", "\t")):
                found.append("\n".join(current))
                current = None
    return found[-limit:]


def print_logs(root: Path) -> None:
    """The servers' and app's logs: their tracebacks and last lines, to see why a drill failed."""
    for log in sorted(root.glob("*.log")):
        lines = log.read_text(errors="replace").splitlines()
        print(f"--- {log.name}: tracebacks", *tracebacks(lines), f"--- {log.name}: last lines", *lines[-25:],
              sep="\n", file=sys.stderr)


def run_one(name: str, keep_logs: bool) -> DrillResult:
    """Run one drill in a fresh world; a setup failure or a crash of the drill itself counts as FAIL."""
    started = time.monotonic()
    with ExitStack() as stack:
        world = new_world(stack)
        try:
            result = importlib.import_module(f"drills.{name}").run(world)
        except DrillError as error:
            result = DrillResult(name, problems=[f"setup: {error}"])
        except Exception:  # the drill's own bug is reported as its failure
            result = DrillResult(name, problems=[f"drill crashed:\n{traceback.format_exc()}"])
        if not result.passed or keep_logs:
            print_logs(world.root)
    result.figures["took_s"] = round(time.monotonic() - started, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drills", description=__doc__.splitlines()[0])
    parser.add_argument("drills", nargs="*", metavar="DRILL", help=f"drills to run (default all): {', '.join(DRILLS)}")
    parser.add_argument("--logs", action="store_true", help="print the servers' logs even when a drill passes")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.drills) - set(DRILLS))
    if unknown:
        parser.error(f"unknown drill(s) {', '.join(unknown)}; choose from {', '.join(DRILLS)}")
    failed = 0
    for name in args.drills or list(DRILLS):
        result = run_one(name, args.logs)
        print(result.line(), flush=True)
        for problem in result.summary():
            print(f"    - {problem}", flush=True)
        failed += not result.passed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
