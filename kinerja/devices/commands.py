"""Command-line tools of attendance machines: flask --app wsgi purge-device-log (for a daily cron job)."""

from __future__ import annotations

from datetime import timedelta

import click
from sqlalchemy import delete

from kinerja import clock
from kinerja.devices import bp
from kinerja.extensions import db
from kinerja.models import DeviceLog
from kinerja.settings import setting


@bp.cli.command("purge-device-log")
def purge_device_log_command() -> None:
    """Delete what machines sent more than DEVICE_LOG_RETENTION_DAYS ago (check-ins made from it stay)."""
    days = setting("DEVICE_LOG_RETENTION_DAYS")
    result = db.session.execute(delete(DeviceLog).where(DeviceLog.received_at < clock.utcnow() - timedelta(days=days)))
    db.session.commit()
    click.echo(f"{result.rowcount} baris log mesin presensi lebih dari {days} hari dihapus.")
