"""Command-line tools of TPP, for cron: flask --app wsgi tpp compute | lock."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import select

from kinerja import clock
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import Agency, User
from kinerja.permissions import is_global_admin
from kinerja.tpp.engine import totals
from kinerja.tpp.month import compute_month, months_after
from kinerja.tpp.services import lock_month, period_of

tpp_cli = AppGroup("tpp", help="TPP: compute a month, lock it.")


def month_option(text: str | None) -> date:
    if not text:
        return months_after(clock.today().replace(day=1), -1)
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise click.BadParameter("Tulis bulan sebagai TTTT-BB, misalnya 2026-11.") from None


def agencies_of(code: str | None) -> list[Agency]:
    query = select(Agency).order_by(Agency.code)
    if code:
        query = query.where(Agency.code == code.strip().upper())
    found = list(db.session.scalars(query))
    if code and not found:
        raise click.ClickException(f"Tidak ada OPD berkode {code!r}.")
    return found


@tpp_cli.command("compute")
@click.option("--month", "month_text", help="Month YYYY-MM (default: last month).")
@click.option("--agency", "code", help="Agency code (default: every agency).")
def compute_command(month_text: str | None, code: str | None) -> None:
    """Compute the month and print each agency's totals (nothing is stored)."""
    first = month_option(month_text)
    agencies = agencies_of(code)
    result = compute_month(first, clock.today(), agency_ids=[agency.id for agency in agencies])
    if result.rule_set is None:
        raise click.ClickException(f"Belum ada aturan TPP untuk {first:%Y-%m}.")
    for agency in agencies:
        rows = [row.result for row in result.rows if row.person.agency_id == agency.id]
        summed = totals(rows)
        state = "dikunci" if period_of(agency.id, first) else "pratinjau"
        click.echo(f"{agency.code}\t{len(rows)} pegawai\tkotor {summed['gross']}\tpotongan "
                   f"{summed['discipline_cuts'] + summed['penalty']}\tbersih {summed['net']}\t{state}")
    click.echo(f"Jumlah {first:%Y-%m}: {len(result.rows)} pegawai, bersih "
               f"{sum(row.result.net for row in result.rows)}")


@tpp_cli.command("lock")
@click.option("--month", "month_text", help="Month YYYY-MM (default: last month).")
@click.option("--agency", "code", help="Agency code (default: every agency not locked yet).")
@click.option("--as", "username", required=True, help="The BKD admin account the lock is recorded under.")
def lock_command(month_text: str | None, code: str | None, username: str) -> None:
    """Lock the month of one agency or of every agency not locked yet (audited under the BKD admin)."""
    first = month_option(month_text)
    actor = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if actor is None or not is_global_admin(actor):
        raise click.ClickException(f"{username!r} bukan akun admin BKD.")
    locked = failed = 0
    for agency in agencies_of(code):
        if period_of(agency.id, first) is not None:
            continue
        try:
            lock_month(actor, agency, first, clock.today(), "flask tpp lock")
        except DomainError as error:
            db.session.rollback()
            failed += 1
            click.echo(f"{agency.code}: {error.message}", err=True)
        else:
            locked += 1
    click.echo(f"{locked} OPD dikunci untuk {first:%Y-%m}" + (f", {failed} gagal." if failed else "."))
    if failed:
        raise SystemExit(1)
