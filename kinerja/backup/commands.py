"""`flask --app wsgi backup create | verify | restore`: the logical backup on the command line (for cron)."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from kinerja import clock
from kinerja.backup.archive import BackupError, verify_archive
from kinerja.backup.create import create_backup
from kinerja.backup.restore import restore_archive

backup_cli = AppGroup("backup", help="Logical backups of the database and the upload folder: create, verify, restore.")


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def dated_output(directory: Path | None) -> Path:
    """<directory>/kinerja-<UTC time>.tar (default directory instance/backups), so a timer needs no arguments
    and the names sort by age for retention."""
    stamp = clock.utcnow().strftime("%Y%m%dT%H%M%SZ")
    return (directory or Path(current_app.instance_path) / "backups") / f"kinerja-{stamp}.tar"


@backup_cli.command("create")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Archive to write.")
@click.option("--directory", "-d", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write kinerja-<UTC time>.tar in this folder instead (default: instance/backups).")
def create_command(output: Path | None, directory: Path | None) -> None:
    """Write one archive of every table (JSON Lines) and the upload folder, with a manifest."""
    if output and directory:
        raise click.UsageError(_("Pilih --output atau --directory, tidak keduanya."))
    output = output or dated_output(directory)
    started = time.perf_counter()
    try:
        manifest = create_backup(output, echo_err)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    rows = sum(entry["rows"] for entry in manifest["tables"])
    click.echo(_("Cadangan %(path)s: %(rows)s baris, %(files)s berkas, %(mb).1f MB dalam %(s).1f detik.",
                 path=output, rows=f"{rows:,}", files=f"{len(manifest['files']):,}",
                 mb=output.stat().st_size / 1e6, s=time.perf_counter() - started))


@backup_cli.command("verify")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_command(archive: Path) -> None:
    """Check every table member and upload file of an archive against its manifest's sha256 and counts."""
    try:
        problems = verify_archive(archive, echo_err)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    for problem in problems:
        echo_err(problem)
    if problems:
        raise click.ClickException(_("Arsip rusak: %(n)d masalah.", n=len(problems)))
    click.echo(_("Arsip %(path)s utuh.", path=archive))


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Empty a database that holds data before restoring, and replace differing upload files.")
def restore_command(archive: Path, force: bool) -> None:
    """Restore an archive into an empty database migrated to the archive's revision (flask db upgrade)."""
    started = time.perf_counter()
    try:
        report = restore_archive(archive, force=force, progress=echo_err)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(_("Dipulihkan: %(rows)s baris dalam %(tables)d tabel, %(files)s berkas (%(mb).1f MB) dalam "
                 "%(s).1f detik.", rows=f"{sum(report.tables.values()):,}", tables=len(report.tables),
                 files=f"{report.files:,}", mb=report.file_bytes / 1e6, s=time.perf_counter() - started))
