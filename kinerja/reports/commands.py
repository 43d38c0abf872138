"""`flask --app wsgi report ...`: the same exports as the pages, from the command line (for cron), with a
progress bar in the terminal.

    flask --app wsgi report employee 198703152010012003 --month 2026-10 --format pdf --out laporan.pdf
    flask --app wsgi report agency DISKOMINFO --month 2026-10 --kind pack --out diskominfo.zip
    flask --app wsgi report regency --month 2026-10 --kind xlsx --out rekap.xlsx
    flask --app wsgi report prerender --month 2026-10 [--agency DISKOMINFO]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import click
from sqlalchemy import select

from kinerja import clock
from kinerja.database import read_only_transactions
from kinerja.extensions import db
from kinerja.models import Agency, Employee
from kinerja.reports import bp, documents, store, tasks


class TerminalContext:
    """The JobContext interface for the command line: a progress bar, failures printed at the end."""

    def __init__(self, out: Path | None, workdir: Path) -> None:
        self.out, self.workdir = out, workdir
        self.bar = None
        self.failures: list[dict] = []
        self.result: Path | None = None

    def set_total(self, n: int) -> None:
        if self.bar is not None:
            self.bar.render_finish()
        self.bar = click.progressbar(length=max(n, 1), label="", show_pos=True, file=sys.stderr)
        self.bar.render_progress()

    def advance(self, n: int = 1) -> None:
        if self.bar is not None and n:
            self.bar.update(n)

    def cancelled(self) -> bool:
        return False

    def fail_item(self, item: str, reason: str) -> None:
        self.failures.append({"item": item, "reason": reason})

    def output_path(self, filename: str) -> Path:
        return self.workdir / filename

    def finish_file(self, path: Path, download_name: str) -> None:
        self.result = Path(path)

    def close(self) -> int:
        if self.bar is not None:
            self.bar.render_finish()
        for failure in self.failures:
            click.echo(f"GAGAL  {failure['item']}: {failure['reason']}", err=True)
        if self.result is not None and self.out is not None:
            shutil.move(str(self.result), self.out)
            click.echo(f"{self.out} ({self.out.stat().st_size:,} bytes)")
        return 1 if self.failures else 0


def run(function, params: dict, out: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="kinerja-report-") as folder:
        context = TerminalContext(out, Path(folder))
        with read_only_transactions():
            function(context, params)
        status = context.close()
    if status:
        raise SystemExit(status)


def agency_id_of(code: str) -> int:
    agency_id = db.session.scalar(select(Agency.id).where(Agency.code == code))
    if agency_id is None:
        raise click.BadParameter(f"no agency with the code {code!r}", param_hint="AGENCY")
    return agency_id


month_option = click.option("--month", required=True, help="YYYY-MM")
out_option = click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)


@bp.cli.group("report")
def report() -> None:
    """Monthly reports: employee PDF/XLSX, agency recaps and packs, BKD's workbook, BKN shape."""


@report.command("employee")
@click.argument("nip")
@month_option
@click.option("--format", "kind", type=click.Choice(["pdf", "xlsx"]), default="pdf", show_default=True)
@out_option
def employee_command(nip: str, month: str, kind: str, out: Path) -> None:
    """One employee's monthly report (served from the store when it is current)."""
    employee_id = db.session.scalar(select(Employee.id).where(Employee.id_number == nip))
    if employee_id is None:
        raise click.BadParameter(f"no employee with the NIP {nip!r}", param_hint="NIP")
    found = documents.employee_document(employee_id, tasks.parse_month(month), clock.today(),
                                        store.PDF if kind == "pdf" else store.XLSX)
    if found is None:
        raise click.ClickException("the employee had no assignment in that month")
    shutil.copyfile(found[1].path, out)
    click.echo(f"{out} ({out.stat().st_size:,} bytes, {'reused' if found[1].reused else 'rendered'})")


AGENCY_KINDS = {
    "recap-pdf": (tasks.agency_recap, {"format": "pdf"}),
    "recap-xlsx": (tasks.agency_recap, {"format": "xlsx"}),
    "pack": (tasks.pdf_pack, {}),
    "bkn": (tasks.bkn_workbook, {}),
}
REGENCY_KINDS = {
    "xlsx": (tasks.regency_workbook, {}),
    "pack": (tasks.pdf_pack, {}),
    "bkn": (tasks.bkn_workbook, {}),
}


@report.command("agency")
@click.argument("agency")
@month_option
@click.option("--kind", type=click.Choice(list(AGENCY_KINDS)), required=True)
@out_option
def agency_command(agency: str, month: str, kind: str, out: Path) -> None:
    """An agency's recap (PDF or XLSX), ZIP of every employee's PDF, or BKN-shape activities."""
    function, extra = AGENCY_KINDS[kind]
    run(function, {"month": month, "agency_id": agency_id_of(agency), **extra}, out)


@report.command("regency")
@month_option
@click.option("--kind", type=click.Choice(list(REGENCY_KINDS)), required=True)
@out_option
def regency_command(month: str, kind: str, out: Path) -> None:
    """BKD's workbook of every agency, ZIP of every employee's PDF, or BKN-shape activities of everyone."""
    function, extra = REGENCY_KINDS[kind]
    run(function, {"month": month, **extra}, out)


@report.command("prerender")
@month_option
@click.option("--agency", default=None, help="agency code (default: every agency)")
def prerender_command(month: str, agency: str | None) -> None:
    """Render the month's reports ahead into the store (what is already current is kept)."""
    codes = [agency] if agency else list(db.session.scalars(select(Agency.code).order_by(Agency.code)))
    for code in codes:
        click.echo(code, err=True)
        run(tasks.prerender, {"month": month, "agency_id": agency_id_of(code)}, None)
