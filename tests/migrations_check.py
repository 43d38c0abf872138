"""Apply every migration to an empty database of each kind, then check models and migrations agree.

python -m tests.migrations_check sqlite postgresql mariadb
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from tests.throwaway import DatabaseUnreachable, throwaway_database


def check(kind: str) -> None:
    with throwaway_database(kind) as url, tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "DATABASE_URL": url, "KINERJA_ENV": "testing", "KINERJA_INSTANCE_PATH": instance}
        for command in (["db", "upgrade"], ["db", "check"]):
            print(f"== {kind}: flask --app wsgi {' '.join(command)}", flush=True)
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *command], env=env, check=True)


def main(kinds: list[str]) -> int:
    try:
        for kind in kinds or ["sqlite"]:
            check(kind)
    except DatabaseUnreachable as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print(f"FAILED: {' '.join(error.cmd[3:])} exited with {error.returncode}", file=sys.stderr)
        return 1
    print("migrations: upgrade and check passed on " + ", ".join(kinds or ["sqlite"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
