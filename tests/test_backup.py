"""Logical backups: round trip on the test database, refusals, corruption, sequences, value types."""

from __future__ import annotations

import enum
import gzip
import io
import json
import tarfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, LargeBinary, Numeric, String, Time, select, text

from kinerja.backup.archive import BackupError, codec_for, verify_archive
from kinerja.backup.create import create_backup
from kinerja.backup.restore import restore_archive
from kinerja.extensions import db as _db
from kinerja.models import Agency, Job, JobStatus, ReferenceStamp
from kinerja.models.base import UTCDateTime
from kinerja.models.org import str_enum
from tests import factories
from tests.conftest import wipe


class Colour(enum.Enum):
    RED = "merah"
    BLUE = "biru"


@pytest.mark.parametrize(("type_", "value"), [
    (UTCDateTime(), datetime(2026, 11, 18, 9, 30, 15, 123456, tzinfo=UTC)),
    (DateTime(), datetime(2026, 2, 28, 23, 59, 59, 999999)),
    (Date(), date(2024, 2, 29)),
    (Time(), time(7, 30, 0, 250000)),
    (Numeric(10, 2), Decimal("12345678.90")),
    (Float(), 0.1 + 0.2),
    (LargeBinary(), bytes(range(256))),
    (Boolean(), False),
    (str_enum(Colour), Colour.BLUE),
    (JSON(), {"a": [1, 2.5, None, "ü"], "b": {"c": True}}),
    (String(20), "Kepala Dinas — Ü"),
])
def test_values_round_trip_through_json_exactly(type_, value) -> None:
    codec = codec_for(type_)
    decoded = codec.decode(json.loads(json.dumps(codec.encode(value))))
    assert decoded == value and type(decoded) is type(value)
    assert codec.decode(codec.encode(None)) is None


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key, as read back through the column types (the reference
    stamp only by its presence: a restore gives it a new value on purpose, kinerja.reference)."""
    with _db.engine.connect() as connection:
        rows = {table.name: [tuple(row) for row in connection.execute(
            select(table).order_by(*table.primary_key.columns))] for table in _db.metadata.sorted_tables}
    rows["reference_stamp"] = [row[0] for row in rows["reference_stamp"]]
    return rows


def current_stamp() -> str | None:
    with _db.engine.connect() as connection:
        return connection.execute(select(ReferenceStamp.stamp)).scalar()


def evidence_file(app: Flask, name: str = "ab/ab12.pdf", content: bytes = b"%PDF-1.4 bukti\x00\xff") -> Path:
    path = Path(app.config["UPLOAD_FOLDER"]) / "evidence" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


@pytest.fixture()
def filled(db, org, app: Flask) -> Iterator[Path]:
    """A small regency with activities (times, decimals), a self-referencing unit tree, a JSON job, a file."""
    activity = factories.ActivityFactory(employee=org.staff_a, quantity=Decimal("2.50"), start_time=time(7, 45))
    factories.EvidenceLinkFactory(activity=activity)
    _db.session.add(Job(id="a" * 32, kind="regency-pack", status=JobStatus.DONE, requester=org.bkd_admin,
                        params={"month": "2026-10", "ids": [1, 2]}, failures=[{"item": "x", "reason": "ü"}]))
    _db.session.commit()
    path = evidence_file(app)
    yield path
    path.unlink(missing_ok=True)


@pytest.fixture()
def archive(filled: Path, tmp_path: Path) -> Path:
    output = tmp_path / "kinerja.tar"
    create_backup(output)
    return output


def empty_database(app: Flask) -> None:
    _db.session.remove()
    wipe(app)


def test_round_trip_restores_every_row_and_file(app: Flask, filled: Path, archive: Path) -> None:
    before = snapshot()
    stamp_before = current_stamp()
    content = filled.read_bytes()
    empty_database(app)
    filled.unlink()

    report = restore_archive(archive)

    assert snapshot() == before
    assert current_stamp() not in (None, stamp_before)  # what processes kept of the data before is not reused
    assert filled.read_bytes() == content
    assert report.tables["unit"] == len(before["unit"]) == 4 and report.files >= 1


def test_new_rows_get_fresh_ids_after_restore(app: Flask, archive: Path) -> None:
    empty_database(app)  # on PostgreSQL this restarts the sequences at 1
    restore_archive(archive)
    highest = _db.session.scalar(select(Agency.id).order_by(Agency.id.desc()).limit(1))
    agency = factories.AgencyFactory(code="BARU")
    _db.session.commit()
    assert agency.id > highest


def test_refuses_a_database_holding_data_unless_forced(app: Flask, archive: Path) -> None:
    before = snapshot()
    with pytest.raises(BackupError, match="tidak kosong"):
        restore_archive(archive)
    factories.AgencyFactory(code="EXTRA")
    _db.session.commit()
    _db.session.remove()
    restore_archive(archive, force=True)
    assert snapshot() == before


@pytest.fixture()
def alembic_version(db):
    """An alembic_version table like a migrated database's (the suite builds its schema with create_all)."""
    with _db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('aaaa1111')"))
    yield
    _db.session.remove()  # on SQLite the session's transaction holds the write lock
    with _db.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))


def test_refuses_a_database_at_another_revision(app: Flask, alembic_version, archive: Path) -> None:
    with tarfile.open(archive) as tar:
        assert json.load(tar.extractfile("manifest.json"))["alembic_revision"] == "aaaa1111"
    empty_database(app)
    with _db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'bbbb2222'"))
    with pytest.raises(BackupError, match=r"revisi bbbb2222.*revisi aaaa1111"):
        restore_archive(archive)
    assert _db.session.scalar(select(Agency.id)) is None


def corrupt(archive: Path, member: str) -> None:
    """Flip one byte in the middle of a member's data, as a bad disk or an interrupted copy would."""
    with tarfile.open(archive) as tar:
        info = tar.getmember(member)
    with archive.open("r+b") as handle:
        handle.seek(info.offset_data + info.size // 2)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.parametrize("member", ["data/activity.jsonl.gz", "uploads/evidence/ab/ab12.pdf"])
def test_corrupted_archive_is_reported_and_restores_nothing(app: Flask, archive: Path, member: str) -> None:
    assert verify_archive(archive) == []
    corrupt(archive, member)
    assert len(verify_archive(archive)) == 1
    empty_database(app)
    with pytest.raises(BackupError):
        restore_archive(archive)
    assert _db.session.scalar(select(Agency.id)) is None


def garble_first_row(archive: Path, member: str) -> None:
    """Rewrite a member as valid gzip whose first row holds values no column type can read; the manifest keeps
    the old checksum, which a streaming restore only compares once the member has been read to its end."""
    with tarfile.open(archive) as tar:
        members = [(info, tar.extractfile(info).read() if info.isfile() else None) for info in tar.getmembers()]
    with tarfile.open(archive, "w") as tar:
        for info, content in members:
            if info.name == member:
                first, _newline, rest = gzip.decompress(content).partition(b"\n")
                row = [("=~50" if isinstance(value, str) else value) for value in json.loads(first)]
                content = gzip.compress(json.dumps(row).encode() + b"\n" + rest)
                info.size = len(content)
            tar.addfile(info, io.BytesIO(content) if content is not None else None)


def test_a_garbled_value_is_reported_as_damage_and_restores_nothing(app: Flask, archive: Path) -> None:
    garble_first_row(archive, "data/activity.jsonl.gz")
    empty_database(app)
    with pytest.raises(BackupError, match="activity rusak"):
        restore_archive(archive)
    assert _db.session.scalar(select(Agency.id)) is None


def test_cli_creates_a_dated_archive_and_verify_reports_corruption(app: Flask, filled: Path, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "create", "--directory", str(tmp_path)]).exit_code == 0
    (archive,) = tmp_path.glob("kinerja-*.tar")
    assert runner.invoke(args=["backup", "verify", str(archive)]).exit_code == 0
    corrupt(archive, "data/user_account.jsonl.gz")
    result = runner.invoke(args=["backup", "verify", str(archive)])
    assert result.exit_code == 1 and "user_account" in result.stderr


def test_refuses_an_archive_of_another_kind(app: Flask, db, tmp_path: Path) -> None:
    other = tmp_path / "other.tar"
    with tarfile.open(other, "w") as tar:
        tar.add(__file__, arcname="manifest.json")
    with pytest.raises(BackupError, match=r"manifest\.json rusak"):
        restore_archive(other)
