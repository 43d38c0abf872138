"""Command-line tool for cron: flask --app wsgi notify send (every few minutes; also after `remind`)."""

from __future__ import annotations

import click

from kinerja.messaging import bp, outbox


@bp.cli.command("send")
def send_command() -> None:
    """Queue new notices for WhatsApp/Telegram and send what is due (retries included)."""
    report = outbox.send_pending()
    waiting = ", ".join(f"{channel} {count}" for channel, count in sorted(report.waiting.items())) or "-"
    click.echo(f"Pesan: {report.queued} diantrekan, {report.sent} terkirim, {report.retried} dicoba lagi nanti, "
               f"{report.failed} gagal, {report.cancelled} dibatalkan, {report.deferred} ditunda ke besok; "
               f"masih antre: {waiting}.")
