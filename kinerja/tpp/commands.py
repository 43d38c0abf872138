"""Command-line tools of TPP, for cron: flask --app wsgi tpp compute | lock | export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from kinerja import clock
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import Agency, User
from kinerja.permissions import is_global_admin
from kinerja.tpp import documents
from kinerja.tpp.engine import totals
from kinerja.tpp.month import compute_month, months_after
from kinerja.tpp.rules import rule_set_for
from kinerja.tpp.services import lock_month, period_of

tpp_cli = AppGroup("tpp", help="TPP: compute a month, lock it, write its files.")


def month_option(text: str | None) -> date:
    if not text:
        return months_after(clock.today().replace(day=1), -1)
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise click.BadParameter("Tulis bulan sebagai TTTT-BB, misalnya 2026-11.") from None


def agencies_of(code: str | None) -> list[Agency]:
    return agencies_by_codes((code,) if code else ())


def agencies_by_codes(codes: tuple[str, ...]) -> list[Agency]:
    """The agencies of the codes (every agency when none), by code; an unknown code is refused."""
    wanted = {code.strip().upper() for code in codes}
    query = select(Agency).order_by(Agency.code)
    if wanted:
        query = query.where(Agency.code.in_(wanted))
    found = list(db.session.scalars(query))
    unknown = sorted(wanted - {agency.code for agency in found})
    if unknown:
        raise click.ClickException(f"Tidak ada OPD berkode {', '.join(unknown)}.")
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


EXPORT_KINDS = ("nominative-pdf", "nominative-xlsx", "payroll-xlsx", "payroll-csv", "recap", "slips")


def export_files(kind: str, first: date, today: date, agencies: list[Agency], every: bool):
    """The files of one kind, built as the background jobs build them: one per agency (payroll of every agency
    in one file when no agency was named; the recap is always the regency's)."""
    if kind == "recap":
        yield lambda: documents.recap_file(first, today)
    elif kind.startswith("payroll-") and every:
        yield lambda: documents.payroll_export(first, today, None, kind.partition("-")[2])
    else:
        form = kind.partition("-")[2]
        for agency in agencies:
            if kind.startswith("payroll-"):
                yield lambda agency=agency: documents.payroll_export(first, today, agency, form)
            elif kind.startswith("nominative-"):
                yield lambda agency=agency: documents.nominative_file(agency, first, today, form)
            else:
                yield lambda agency=agency: documents.agency_slips_file(agency, first, today)


@tpp_cli.command("export")
@click.option("--month", "month_text", help="Month YYYY-MM (default: last month).")
@click.option("--agency", "codes", multiple=True, help="Agency code; repeat for several (default: every agency).")
@click.option("--kind", "kinds", multiple=True, required=True, type=click.Choice(EXPORT_KINDS),
              help="What to write; repeat for several.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Directory the files are written to (created when missing).")
def export_command(month_text: str | None, codes: tuple[str, ...], kinds: tuple[str, ...], out: Path) -> None:
    """Write the month's TPP files (the same as the pages' exports) into a directory and list them."""
    first = month_option(month_text)
    if "recap" in kinds and codes:
        raise click.ClickException("Rekap TPP selalu mencakup seluruh OPD; jalankan --kind recap tanpa --agency.")
    agencies = agencies_by_codes(codes)
    if rule_set_for(first) is None:
        raise click.ClickException(f"Belum ada aturan TPP untuk {first:%Y-%m}.")
    if out.exists() and not out.is_dir():
        raise click.ClickException(f"{out} bukan direktori.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.ClickException(f"Direktori {out} tidak dapat dibuat: {error.strerror}.") from None
    today, written = clock.today(), 0
    for kind in dict.fromkeys(kinds):
        for build in export_files(kind, first, today, agencies, every=not codes):
            output = build()
            target = out / output.name
            partial = target.with_name(f".{output.name}.part")  # a reader never sees half a file
            partial.write_bytes(output.content)
            partial.replace(target)
            written += 1
            click.echo(f"{target}\t{len(output.content)} bytes")
    click.echo(f"{written} berkas TPP {first:%Y-%m} ditulis ke {out}.")
