"""Command-line tools of attendance: flask --app wsgi purge-selfies (for a daily cron job)."""

from __future__ import annotations

import click

from kinerja import clock
from kinerja.attendance import bp, selfie
from kinerja.settings import setting


@bp.cli.command("purge-selfies")
def purge_selfies_command() -> None:
    """Delete selfies older than SELFIE_RETENTION_DAYS (records and positions stay)."""
    removed = selfie.purge(clock.utcnow())
    click.echo(f"{removed} swafoto lebih dari {setting('SELFIE_RETENTION_DAYS')} hari dihapus.")
