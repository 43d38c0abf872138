"""Command-line tools: flask --app wsgi remind | create-admin (the demo brings its own: kinerja/demo/commands.py)."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from kinerja import clock
from kinerja.auth.services import hash_password, password_problems
from kinerja.extensions import db
from kinerja.models import Role, User, UserRole


def register(app: Flask) -> None:
    from kinerja.backup.commands import backup_cli

    app.cli.add_command(backup_cli)

    @app.cli.command("remind")
    @click.option("--date", "day", default=None, help="Run as if today were this date (YYYY-MM-DD).")
    def remind_command(day: str | None) -> None:
        """Send the day's reminders (for cron): unfiled days, items waiting, month closing; e-mail and message them."""
        from datetime import date

        from kinerja.messaging.outbox import send_pending
        from kinerja.review.reminders import remind

        report = remind(date.fromisoformat(day) if day else clock.today())
        messages = send_pending()
        click.echo(f"Pengingat: {report.unfiled} belum mengajukan, {report.waiting} menunggu pemeriksaan, "
                   f"{report.closing} penutupan bulan; {report.emailed} surel terkirim"
                   + (f", {report.mail_failed} gagal" if report.mail_failed else "")
                   + f"; {messages.sent} pesan WhatsApp/Telegram terkirim, {messages.retried} dicoba lagi nanti.")

    @app.cli.command("create-admin")
    @click.option("--username", prompt="Nama pengguna", help="Sign-in name of the new BKD admin.")
    @click.option(
        "--password",
        prompt="Kata sandi",
        hide_input=True,
        confirmation_prompt=True,
        envvar="KINERJA_ADMIN_PASSWORD",
        help="Password (or set KINERJA_ADMIN_PASSWORD).",
    )
    def create_admin_command(username: str, password: str) -> None:
        """Create a BKD admin account."""
        username = username.strip().lower()
        if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
            raise click.ClickException("Nama pengguna hanya boleh huruf, angka, titik, garis bawah dan tanda hubung.")
        if db.session.scalar(select(User.id).where(User.username == username)) is not None:
            raise click.ClickException(f"Nama pengguna {username!r} sudah dipakai.")
        user = User(username=username, password_hash="", must_change_password=False)
        problems = password_problems(password, user)
        if problems:
            raise click.ClickException(" ".join(problems))
        user.password_hash = hash_password(password)
        user.roles.append(UserRole(role=Role.BKD_ADMIN))
        db.session.add(user)
        db.session.commit()
        click.echo(f"Admin BKD {username!r} dibuat.")
