"""WhatsApp and Telegram beside e-mail: BKD sets the gateways and reads the delivery log (/bkd/pesan), each person
opts in with their number on their profile (/profil/pesan), and `flask --app wsgi notify send` (cron) queues the
notices and drains the outbox."""

from flask import Blueprint

bp = Blueprint("messaging", __name__, cli_group="notify")

from kinerja.messaging import commands, views  # noqa: E402,F401
