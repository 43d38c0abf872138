"""Concurrent check-ins of one person, on SQLite, PostgreSQL and MariaDB.

Spawned processes, each with its own app and connection pool (as gunicorn workers have), run one thread per
browser; every browser signs in, waits at a common barrier, then posts the check-in form. The database's
unique constraint admits exactly one; the others are answered with the clear "already checked in" message,
never a 500. Nothing can be monkeypatched across processes, so the real clock decides the day (a weekend is
allowed and merely noted); the person works from home, so no office radius is involved.
"""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image
from sqlalchemy import select

from kinerja.models import AttendanceRecord
from tests.test_activity_concurrency import Browser, race

pytestmark = pytest.mark.slow

ALREADY = "Anda sudah presensi masuk hari ini"


def photo(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (160, 120), random.Random(seed).randbytes(160 * 120 * 3)).save(buffer, "JPEG")
    return buffer.getvalue()


def check_in_form(seed: int) -> dict:
    """The page's form with its selfie (a BytesIO pickles, so it crosses into the child process)."""
    return {"kind": "in", "mode": "WFH", "latitude": str(-6.8901 + seed * 1e-4), "longitude": "107.55",
            "accuracy": "15", "device_id": f"browser-{seed:04d}", "assignment_letter": "",
            "selfie": (io.BytesIO(photo(seed)), "swafoto.jpg")}


def test_concurrent_check_ins_of_one_person_store_exactly_one(org, db, database_url, monkeypatch, tmp_path):
    browsers = [Browser("same person", org.staff_a.id_number, "/presensi/", check_in_form(seed))
                for seed in range(6)]
    browsers.append(Browser("other person", org.staff_b.id_number, "/presensi/", check_in_form(99)))
    staff_a_id, staff_b_id = org.staff_a.id, org.staff_b.id
    monkeypatch.setenv("UPLOAD_FOLDER", str(tmp_path))  # read by the children's configuration
    db.session.rollback()

    outcomes = race(database_url, browsers)

    assert not [o for group in outcomes.values() for o in group if o.status >= 500]
    same = outcomes["same person"]
    winners = [o for o in same if o.status == 302]
    losers = [o for o in same if o.status != 302]
    assert len(winners) == 1, [(o.status, o.location) for o in same]
    assert len(losers) == 5 and all(o.status == 200 and ALREADY in o.body for o in losers), \
        [o.status for o in losers]
    assert [o.status for o in outcomes["other person"]] == [302]
    db.session.rollback()
    assert len(db.session.scalars(select(AttendanceRecord).where(
        AttendanceRecord.employee_id == staff_a_id)).all()) == 1
    assert len(db.session.scalars(select(AttendanceRecord).where(
        AttendanceRecord.employee_id == staff_b_id)).all()) == 1
    assert len(list((tmp_path / "selfies").iterdir())) == 2  # the losers' photos were removed
