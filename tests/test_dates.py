"""tests/dates.py, the runner of `make test-dates`: its moments are awkward ones and its counts are pytest's."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kinerja.workcalendar import holidays_between
from tests import dates


def moment(name: str) -> datetime:
    return datetime.fromisoformat(dates.MOMENTS[name][0])


def test_the_moments_are_what_their_names_say(app):
    wib, wit = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Jayapura")
    assert moment("weekend").weekday() == 5
    with app.app_context():
        assert moment("cuti-bersama").date() in holidays_between(moment("cuti-bersama").date(),
                                                                 moment("cuti-bersama").date())
    late = moment("late-evening")
    assert late.astimezone(wit).date() == late.astimezone(wib).date() + timedelta(days=1)
    new_year = moment("new-year")
    assert (new_year.astimezone(wib).month, new_year.astimezone(wib).day, new_year.utcoffset()) == (1, 1, timedelta(0))
    month_end = moment("month-end")
    assert (month_end + timedelta(days=1)).day == 1
    assert (moment("leap-day").month, moment("leap-day").day) == (2, 29)


def test_counts_come_from_the_junit_report_and_a_missing_one_is_a_failure(tmp_path):
    (tmp_path / "t.py").write_text("import pytest\n\ndef test_a(): pass\n\ndef test_b(): assert False\n\n"
                                   "@pytest.mark.skip\ndef test_c(): pass\n")
    report = tmp_path / "report.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}",
                    "--rootdir", str(tmp_path), str(tmp_path / "t.py")], capture_output=True, check=False)
    assert dates.counts(report) == (1, 1, 1)
    assert dates.counts(tmp_path / "absent.xml") == (0, 1, 0)
