"""Writing an archive: every table from one snapshot, streamed in batches, and the upload folder."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Table, inspect, select, text
from sqlalchemy.engine import Connection

from kinerja import clock
from kinerja.backup.archive import (
    BATCH_ROWS,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    STAGING_PREFIX,
    HashingReader,
    Progress,
    codec_for,
    sha256_file,
)
from kinerja.database import read_only_transactions
from kinerja.extensions import db


def alembic_revision(connection: Connection) -> str | None:
    """The migration revision of the database, None when it was built without Alembic."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


@contextmanager
def snapshot_connection() -> Iterator[Connection]:
    """A connection whose one transaction sees a single consistent snapshot of every table."""
    engine = db.engine
    options = {} if engine.dialect.name == "sqlite" else {"isolation_level": "REPEATABLE READ"}
    with read_only_transactions(), engine.connect().execution_options(**options) as connection, connection.begin():
        yield connection


def dump_table(connection: Connection, table: Table, target: Path) -> int:
    """Write the table's rows, ordered by primary key, to a gzip JSON Lines file; return the row count."""
    codecs = [codec_for(column.type).encode for column in table.columns]
    query = select(table).order_by(*table.primary_key.columns)
    count = 0
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=6) as out:
        result = connection.execution_options(stream_results=True, yield_per=BATCH_ROWS).execute(query)
        for partition in result.partitions():
            lines = [
                json.dumps([encode(value) for encode, value in zip(codecs, row, strict=True)],
                           ensure_ascii=False, separators=(",", ":"))
                for row in partition
            ]
            out.write("\n".join(lines) + "\n")
            count += len(lines)
    return count


def add_tables(archive: tarfile.TarFile, folder: Path, progress: Progress) -> tuple[str | None, list[dict]]:
    """Dump every table in foreign-key order from one snapshot into the archive; return the snapshot's
    migration revision and the tables' manifest entries."""
    entries = []
    with snapshot_connection() as connection:
        revision = alembic_revision(connection)
        for table in db.metadata.sorted_tables:
            member, staged = f"data/{table.name}.jsonl.gz", folder / f"{table.name}.jsonl.gz"
            rows = dump_table(connection, table, staged)
            entries.append({"name": table.name, "rows": rows, "columns": [column.name for column in table.columns],
                            "member": member, "bytes": staged.stat().st_size, "sha256": sha256_file(staged)})
            archive.add(staged, arcname=member)
            staged.unlink()
            progress(_("%(table)s: %(rows)s baris", table=table.name, rows=f"{rows:,}"))
    return revision, entries


def upload_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Regular files under the upload folder (relative POSIX path, path), in a stable order."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0].startswith(STAGING_PREFIX) or path.name.endswith(".part"):
            continue  # a restore's staging folder, a file still being written
        if path.is_file() and not path.is_symlink():
            yield relative.as_posix(), path


def add_uploads(archive: tarfile.TarFile, root: Path) -> list[dict]:
    """Copy the upload folder into the archive, hashing each file in the same read that copies it."""
    entries = []
    for relative, path in upload_files(root):
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            continue  # deleted since the listing (evidence removed meanwhile)
        with handle:
            info = archive.gettarinfo(arcname=f"uploads/{relative}", fileobj=handle)
            reader = HashingReader(handle)
            archive.addfile(info, reader)
        entries.append({"path": relative, "size": info.size, "sha256": reader.digest.hexdigest()})
    return entries


def add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(clock.utcnow().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(content))


def create_backup(output: Path, progress: Progress = lambda _message: None) -> dict:
    """Write an archive of every table and the upload folder to `output` (atomically); return its manifest."""
    output.parent.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION,
                                "created_at": clock.utcnow().isoformat(), "source_dialect": db.engine.dialect.name}
    with tempfile.TemporaryDirectory(prefix=".kinerja-backup-", dir=output.parent) as work:
        folder = Path(work)
        partial = folder / "archive.tar"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            manifest["alembic_revision"], manifest["tables"] = add_tables(archive, folder, progress)
            manifest["files"] = add_uploads(archive, Path(current_app.config["UPLOAD_FOLDER"]))
            add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1).encode())
        partial.chmod(0o600)  # password hashes and personal data: readable by the owner only
        os.replace(partial, output)
    progress(_("%(n)s berkas unggahan", n=f"{len(manifest['files']):,}"))
    return manifest
