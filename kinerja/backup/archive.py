"""The archive format: manifest, per-column value codecs, checked reading of members, verification."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import Boolean, Date, DateTime, Enum, LargeBinary, Numeric, Time
from sqlalchemy.types import TypeDecorator, TypeEngine

FORMAT = "kinerja-backup"
MANIFEST = "manifest.json"
STAGING_PREFIX = ".restore-"  # a restore's folder of checked files inside the upload folder
FORMAT_VERSION = 1
BATCH_ROWS = 2000
CHUNK = 1024 * 1024

Progress = Callable[[str], None]


class BackupError(Exception):
    """The archive or the target database is not fit for the operation; the message says why."""


@dataclass
class Codec:
    """Turns one column's Python values into JSON values and back."""

    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]


def identity(value: Any) -> Any:
    return value


def base_type(type_: TypeEngine) -> TypeEngine:
    """The type a TypeDecorator (such as UTCDateTime) stores as."""
    return type_.impl_instance if isinstance(type_, TypeDecorator) else type_


def nullable(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else function(value)


def codec_for(type_: TypeEngine) -> Codec:
    """Pick the conversion for a column type; JSON-native values pass through unchanged."""
    type_ = base_type(type_)
    if isinstance(type_, Enum) and type_.enum_class is not None:
        enum_class = type_.enum_class
        return Codec(nullable(lambda member: member.name), nullable(lambda name: enum_class[name]))
    if isinstance(type_, DateTime):
        return Codec(nullable(datetime.isoformat), nullable(datetime.fromisoformat))
    if isinstance(type_, Date):
        return Codec(nullable(date.isoformat), nullable(date.fromisoformat))
    if isinstance(type_, Time):
        return Codec(nullable(time.isoformat), nullable(time.fromisoformat))
    if isinstance(type_, Numeric) and type_.asdecimal:
        return Codec(nullable(str), nullable(Decimal))
    if isinstance(type_, LargeBinary):
        return Codec(nullable(lambda raw: base64.b64encode(raw).decode("ascii")), nullable(base64.b64decode))
    if isinstance(type_, Boolean):
        return Codec(nullable(bool), nullable(bool))
    return Codec(identity, identity)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class HashingReader(io.RawIOBase):
    """A readable stream that hashes what passes through it, to check a member while it is consumed."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.source.read(len(buffer))
        self.digest.update(data)
        self.size += len(data)
        buffer[: len(data)] = data
        return len(data)

    def drain(self) -> str:
        """Read what is left (gzip may stop before the end) and return the hex digest."""
        while self.read(CHUNK):
            pass
        return self.digest.hexdigest()


class Archive:
    """An archive opened for reading, its members indexed by name once (tarfile looks a name up by scanning
    every member, which is quadratic over an upload folder of many thousand files)."""

    def __init__(self, path: Path) -> None:
        try:
            self.tar = tarfile.open(path, "r:")  # noqa: SIM115 - closed by __exit__
        except (OSError, tarfile.TarError) as error:
            raise BackupError(_("Arsip %(path)s tidak dapat dibuka: %(error)s", path=path, error=error)) from error
        try:
            self.members = {member.name: member for member in self.tar.getmembers()}
        except tarfile.TarError as error:
            self.tar.close()
            raise BackupError(_("Arsip %(path)s rusak: %(error)s", path=path, error=error)) from error

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info) -> None:
        self.tar.close()

    def stream(self, name: str) -> IO[bytes]:
        member = self.members.get(name)
        stream = self.tar.extractfile(member) if member is not None and member.isfile() else None
        if stream is None:
            raise BackupError(_("Arsip tidak memuat %(name)s.", name=name))
        return stream


def read_manifest(archive: Archive) -> dict:
    """The archive's manifest, refusing anything that is not a backup of this format version."""
    try:
        manifest = json.load(archive.stream(MANIFEST))
    except ValueError as error:
        raise BackupError(_("manifest.json rusak: %(error)s", error=error)) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("Arsip ini bukan cadangan Kinerja."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(_("Format cadangan versi %(found)s tidak didukung (versi ini membaca %(ours)s).",
                            found=manifest.get("format_version"), ours=FORMAT_VERSION))
    return manifest


def iter_rows(archive: Archive, entry: dict) -> Iterator[list]:
    """Rows of a table member; raises BackupError at the end if its checksum or row count is off."""
    reader = HashingReader(archive.stream(entry["member"]))
    count = 0
    try:
        with gzip.open(io.BufferedReader(reader, CHUNK), "rt", encoding="utf-8") as lines:
            for line in lines:
                count += 1
                yield json.loads(line)
    except (OSError, EOFError, ValueError, zlib.error) as error:  # gzip, inflate and JSON errors
        raise BackupError(_("Data tabel %(table)s rusak: %(error)s", table=entry["name"], error=error)) from error
    if reader.drain() != entry["sha256"]:
        raise BackupError(_("Checksum data tabel %(table)s tidak cocok: arsip rusak.", table=entry["name"]))
    if count != entry["rows"]:
        raise BackupError(_("Tabel %(table)s berisi %(found)s baris, manifest menyebut %(expected)s.",
                            table=entry["name"], found=count, expected=entry["rows"]))


def safe_relative(path: str) -> PurePosixPath:
    """An upload path from the manifest, refused if it could escape the upload folder."""
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupError(_("Jalur berkas tidak sah dalam arsip: %(path)s", path=path))
    return relative


def copy_file_member(archive: Archive, entry: dict, target: IO[bytes] | None) -> None:
    """Stream one upload file out of the archive (into target, if given), checking size and sha256."""
    reader = HashingReader(archive.stream(f"uploads/{safe_relative(entry['path'])}"))
    while chunk := reader.read(CHUNK):
        if target is not None:
            target.write(chunk)
    if reader.size != entry["size"] or reader.digest.hexdigest() != entry["sha256"]:
        raise BackupError(_("Berkas %(path)s dalam arsip tidak cocok dengan checksum-nya.", path=entry["path"]))


def verify_archive(path: Path, progress: Progress = lambda _message: None) -> list[str]:
    """Check every member against the manifest; return the problems found (empty: the archive is sound)."""
    problems: list[str] = []
    with Archive(path) as archive:
        manifest = read_manifest(archive)
        for entry in manifest["tables"]:
            try:
                for _row in iter_rows(archive, entry):
                    pass
                progress(_("%(table)s: %(rows)s baris", table=entry["name"], rows=f"{entry['rows']:,}"))
            except BackupError as error:
                problems.append(str(error))
        for entry in manifest["files"]:
            try:
                copy_file_member(archive, entry, None)
            except BackupError as error:
                problems.append(str(error))
        expected = {MANIFEST} | {entry["member"] for entry in manifest["tables"]}
        expected |= {f"uploads/{entry['path']}" for entry in manifest["files"]}
        problems += [_("Anggota tak dikenal dalam arsip: %(name)s", name=name)
                     for name in archive.members if name not in expected]
    return problems
