"""The demo's command-line tools, a Flask CLI plugin (entry point `flask.commands` in setup.cfg), so the app never
imports the demo: `flask --app wsgi seed-demo` and `flask --app wsgi demo-staff-sample FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from kinerja import clock
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import User


def print_demo_accounts() -> None:
    from kinerja.demo.seed import find_demo_accounts

    accounts = find_demo_accounts()
    if not accounts:
        return
    click.echo("\nAkun demo (satu per peran) / demo sign-ins (one per role):")
    width = max(len(account.login) for account in accounts)
    for account in accounts:
        click.echo(f"  {account.role:<26} {account.login:<{width}}  {account.password}")
    click.echo(
        "Kata sandi di atas adalah kata sandi awal: saat pertama masuk Anda diminta menggantinya.\n"
        "These are initial passwords: each account asks for a new one at its first sign-in.\n"
    )


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Build the demo regency the first time; print the demo sign-ins every time."""
    from kinerja.demo.seed import seed_demo

    created = seed_demo(clock.today())
    click.echo("Data demo dibuat." if created else "Data demo sudah ada; tidak ada yang diubah.")
    print_demo_accounts()


@click.command("demo-staff-sample")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--admin", "login", default="admin.bkd", show_default=True,
              help="The importing admin whose units the sample fills.")
@with_appcontext
def staff_sample_command(path: Path, login: str) -> None:
    """Write a staff import file of fictitious new employees for trying the import (Admin → Impor pegawai)."""
    from kinerja.demo.staff_import_sample import SAMPLE_SIZE, sample_workbook

    admin = db.session.scalar(select(User).where(User.username == login.strip().lower()))
    if admin is None:
        raise click.ClickException(f"Akun {login!r} tidak ditemukan.")
    try:
        content = sample_workbook(admin, clock.today())
    except DomainError as error:
        raise click.ClickException(error.message) from error
    path.write_bytes(content)
    click.echo(f"Contoh berisi {SAMPLE_SIZE} pegawai ditulis ke {path}.")
