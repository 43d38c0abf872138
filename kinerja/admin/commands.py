"""Command line: flask --app wsgi staff import FILE --admin USERNAME [--dry-run] [--date YYYY-MM-DD]
[--passwords-out PASSWORDS.xlsx]."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from kinerja import clock
from kinerja.admin import staff_import
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import User

staff_cli = AppGroup("staff", help="Pegawai: impor dari Excel / staff import from Excel.")
SHOWN_ERRORS = 50


def print_errors(plan: staff_import.ImportPlan) -> None:
    for error in plan.errors[:SHOWN_ERRORS]:
        click.echo(f"  baris {error.row:>6}  {error.column:<20} {error.message}")
    if len(plan.errors) > SHOWN_ERRORS:
        click.echo(f"  … dan {len(plan.errors) - SHOWN_ERRORS} kesalahan lain.")


def password_writer(path: Path):
    """Write the passwords workbook to a new file only its owner can read; an existing file is never replaced
    (it may hold an earlier import's passwords)."""
    def write(content: bytes) -> str:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        return str(path)
    return write


def run_import(actor: User, path: Path, effective: date, dry_run: bool, passwords_out: Path | None):
    if dry_run:
        return staff_import.dry_run(actor, path.read_bytes(), effective), None
    keep = password_writer(passwords_out) if passwords_out else None
    try:
        result = staff_import.import_staff(actor, path.read_bytes(), effective, path.name, keep_passwords=keep)
    except staff_import.PasswordsNeeded as needed:
        raise click.ClickException(
            f"Impor ini membuat {needed.accounts} akun baru. Tambahkan --passwords-out BERKAS.xlsx sebagai tujuan "
            "kata sandi awalnya (tiap akun punya kata sandi sendiri). Tidak ada yang disimpan.") from None
    except OSError as error:
        raise click.ClickException(f"Kata sandi awal tidak dapat ditulis ke {passwords_out}: {error.strerror}. "
                                   "Tidak ada yang disimpan.") from None
    return result.plan, result


@staff_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--admin", "username", required=True, help="Username of the BKD or agency admin importing.")
@click.option("--date", "day", default=None, help="Effective date (YYYY-MM-DD); today by default.")
@click.option("--dry-run", is_flag=True, help="Check only: list the errors or what would change.")
@click.option("--passwords-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="New XLSX file for the new accounts' initial passwords; required when the import creates "
                   "accounts. Hand each password to its employee privately.")
def import_command(path: Path, username: str, day: str | None, dry_run: bool, passwords_out: Path | None) -> None:
    """Import or update employees from a SIMPEG-style workbook, all or nothing."""
    actor = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if actor is None:
        raise click.ClickException(f"Akun admin {username!r} tidak ditemukan.")
    try:
        effective = date.fromisoformat(day) if day else clock.today()
    except ValueError:
        raise click.ClickException("Tanggal harus berformat YYYY-MM-DD.") from None
    if passwords_out is not None and not dry_run and passwords_out.exists():
        raise click.ClickException(f"{passwords_out} sudah ada; pilih nama berkas baru untuk kata sandi awal.")
    try:
        plan, result = run_import(actor, path, effective, dry_run, passwords_out)
    except staff_import.ImportRejected as rejected:
        click.echo(rejected.message, err=True)
        print_errors(rejected.plan)
        raise SystemExit(1) from None
    except DomainError as error:
        raise click.ClickException(error.message) from None
    if plan.errors:
        click.echo(f"{plan.error_rows} dari {plan.total} baris berisi kesalahan; tidak ada yang disimpan.", err=True)
        print_errors(plan)
        raise SystemExit(1)
    verb = "akan" if dry_run else "sudah"
    click.echo(f"{plan.total} baris: {len(plan.new)} baru, {len(plan.updated)} berubah, {plan.unchanged} tetap "
               f"({verb} disimpan, tanggal efektif {effective:%d-%m-%Y}).")
    if dry_run and plan.accounts:
        click.echo(f"{len(plan.accounts)} akun baru akan dibuat; impor sungguhan memerlukan --passwords-out "
                   "BERKAS.xlsx untuk kata sandi awalnya.")
    if result is not None and result.kept:
        click.echo(f"Kata sandi awal {len(result.passwords)} akun baru ditulis ke {result.kept}. Serahkan kepada "
                   "setiap pegawai secara pribadi; kata sandi wajib diganti saat pertama masuk dan tidak disimpan "
                   "di tempat lain.")
