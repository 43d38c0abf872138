"""Restoring an archive into an empty database migrated to the archive's revision, in one transaction."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Table, func, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import bindparam

from kinerja import reference
from kinerja.backup.archive import (
    BATCH_ROWS,
    STAGING_PREFIX,
    Archive,
    BackupError,
    Progress,
    codec_for,
    copy_file_member,
    iter_rows,
    read_manifest,
    safe_relative,
    sha256_file,
)
from kinerja.backup.create import alembic_revision
from kinerja.database import write_transactions
from kinerja.extensions import db

# Tables the migrations fill with reference rows: a freshly migrated database holds them, so they do not
# make it "non-empty"; the restore replaces them with the archive's rows.
MIGRATION_SEEDED_TABLES = frozenset({"output_unit", "reference_stamp"})


@dataclass
class RestoreReport:
    tables: dict[str, int]  # rows now in each table of the target
    files: int
    file_bytes: int


def target_tables(manifest: dict) -> list[Table]:
    """The app's tables in foreign-key order, refusing an archive whose tables or columns differ."""
    tables = db.metadata.sorted_tables
    archived = {entry["name"]: entry["columns"] for entry in manifest["tables"]}
    for table in tables:
        if archived.pop(table.name, None) != [column.name for column in table.columns]:
            raise BackupError(_("Struktur tabel %(table)s berbeda antara arsip dan aplikasi ini.", table=table.name))
    if archived:
        raise BackupError(_("Arsip memuat tabel yang tidak dikenal aplikasi ini: %(names)s",
                            names=", ".join(sorted(archived))))
    return tables


def check_target(connection: Connection, manifest: dict, tables: list[Table], force: bool) -> None:
    """Refuse a database at another revision, or one holding data unless `force` allows emptying it."""
    revision = alembic_revision(connection)
    if revision != manifest["alembic_revision"]:
        raise BackupError(_(
            "Basis data tujuan berada pada revisi %(target)s, arsip pada revisi %(archive)s. Jalankan "
            "`flask --app wsgi db upgrade %(archive)s` pada basis data kosong terlebih dahulu.",
            target=revision or "-", archive=manifest["alembic_revision"] or "-",
        ))
    occupied = [table.name for table in tables if table.name not in MIGRATION_SEEDED_TABLES
                and connection.execute(select(func.count()).select_from(table)).scalar()]
    if occupied and not force:
        raise BackupError(_("Basis data tujuan tidak kosong (%(names)s). Pulihkan ke basis data baru, atau "
                            "pakai --force untuk mengosongkannya lebih dulu.", names=", ".join(occupied)))


def empty_tables(connection: Connection, tables: list[Table]) -> None:
    """Delete every row, children first; links inside a table are cut first (RESTRICT acts per row)."""
    for table in reversed(tables):
        for key in table.foreign_keys:
            if key.column.table is table:
                connection.execute(table.update().values({key.parent.name: None}))
        connection.execute(table.delete())


def deferred_columns(table: Table, position: dict[str, int]) -> list[str]:
    """Foreign keys to the table itself (or to a later table): inserted empty, filled in a second pass."""
    return sorted({key.parent.name for key in table.foreign_keys
                   if position[key.column.table.name] >= position[table.name]})


def decoded_rows(archive: Archive, entry: dict, table: Table) -> Iterable[dict]:
    names = [column.key for column in table.columns]
    decoders = [codec_for(column.type).decode for column in table.columns]
    for row in iter_rows(archive, entry):
        try:
            yield {name: decode(value) for name, decode, value in zip(names, decoders, row, strict=True)}
        except (ArithmeticError, LookupError, TypeError, ValueError) as error:
            # Damage the checksum would only report at the member's end can garble a value before that.
            raise BackupError(_("Data tabel %(table)s rusak: %(error)s", table=entry["name"], error=error)) from error


def batched(rows: Iterable[dict], size: int = BATCH_ROWS) -> Iterable[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_table(connection: Connection, archive: Archive, entry: dict, table: Table,
               deferred: list[str]) -> None:
    """Insert a table's rows in batches, with the deferred links left empty."""
    def without_links(row: dict) -> dict:
        return row | dict.fromkeys(deferred)

    rows = decoded_rows(archive, entry, table)
    for batch in batched(map(without_links, rows) if deferred else rows):
        connection.execute(table.insert(), batch)


def restore_links(connection: Connection, archive: Archive, entry: dict, table: Table,
                  deferred: list[str]) -> None:
    """Second pass over a table: set the links left empty, keeping `updated_at` and other onupdate columns."""
    (key,) = table.primary_key.columns
    values = {name: bindparam(f"v_{name}") for name in deferred}
    values |= {column.name: column for column in table.columns if column.onupdate is not None}
    statement = update(table).where(key == bindparam("k_key")).values(values)
    linked = ({"k_key": row[key.key]} | {f"v_{name}": row[name] for name in deferred}
              for row in decoded_rows(archive, entry, table) if any(row[name] is not None for name in deferred))
    for batch in batched(linked):
        connection.execute(statement, batch)


def reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Move PostgreSQL sequences past the restored ids (MariaDB and SQLite do this on insert by themselves)."""
    if connection.dialect.name != "postgresql":
        return
    quote = connection.dialect.identifier_preparer.quote
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = connection.execute(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                      {"table": quote(table.name), "column": column.name}).scalar()
        if sequence:
            highest = select(func.max(column)).scalar_subquery()
            connection.execute(select(func.setval(sequence, func.coalesce(highest, 0) + 1, False)))


def stage_files(archive: Archive, manifest: dict, staging: Path, root: Path, force: bool) -> int:
    """Extract the upload files into staging, checked; refuse to replace a different file unless forced."""
    total = 0
    for entry in manifest["files"]:
        relative = safe_relative(entry["path"])
        existing = root / relative
        if existing.is_file() and not force and sha256_file(existing) != entry["sha256"]:
            raise BackupError(_("Berkas %(path)s sudah ada di folder unggahan dengan isi lain; pakai --force "
                                "untuk menimpanya.", path=entry["path"]))
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            copy_file_member(archive, entry, handle)
        total += entry["size"]
    return total


def place_files(staging: Path, root: Path) -> None:
    """Move staged files into the upload folder (same file system: each move is atomic)."""
    for path in sorted(staging.rglob("*")):
        if path.is_file():
            target = root / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)


def check_counts(counts: dict[str, int], entries: dict[str, dict]) -> None:
    """Refuse to commit unless every table holds exactly the archive's rows."""
    for name, count in counts.items():
        if count != entries[name]["rows"]:
            raise BackupError(_("Setelah pemulihan tabel %(table)s berisi %(found)s baris, bukan %(expected)s.",
                                table=name, found=count, expected=entries[name]["rows"]))


def restore_archive(path: Path, *, force: bool = False, progress: Progress = lambda _message: None) -> RestoreReport:
    """Restore the archive's rows and upload files; the database is untouched if anything fails."""
    root = Path(current_app.config["UPLOAD_FOLDER"])
    root.mkdir(parents=True, exist_ok=True)
    with Archive(path) as archive:
        manifest = read_manifest(archive)
        tables = target_tables(manifest)
        entries = {entry["name"]: entry for entry in manifest["tables"]}
        position = {table.name: index for index, table in enumerate(tables)}
        # Inside the upload folder, so moving files into place never crosses file systems (it may be a mount).
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
        try:
            with write_transactions(), db.engine.begin() as connection:
                check_target(connection, manifest, tables, force)
                empty_tables(connection, tables if force else [t for t in tables if t.name in MIGRATION_SEEDED_TABLES])
                for table in tables:
                    deferred = deferred_columns(table, position)
                    load_table(connection, archive, entries[table.name], table, deferred)
                    if deferred:
                        restore_links(connection, archive, entries[table.name], table, deferred)
                    progress(_("%(table)s: %(rows)s baris", table=table.name, rows=f"{entries[table.name]['rows']:,}"))
                reset_sequences(connection, tables)
                reference.write_new_stamp(connection)  # what any process kept of the old data is not reused
                file_bytes = stage_files(archive, manifest, staging, root, force)
                counts = {table.name: connection.execute(select(func.count()).select_from(table)).scalar()
                          for table in tables}
                check_counts(counts, entries)
            place_files(staging, root)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return RestoreReport(tables=counts, files=len(manifest["files"]), file_bytes=file_bytes)
