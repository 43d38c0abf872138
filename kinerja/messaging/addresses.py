"""A person's address on a channel, checked and written one way: WhatsApp numbers as 62…, Telegram chat ids."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from kinerja.errors import ValidationFailed
from kinerja.models import Channel

# Indonesian mobile numbers: 08xx-xxxx-xxx(x…), 10 to 13 digits written with the leading 0.
MOBILE = re.compile(r"628[1-9][0-9]{6,10}")
CHAT_ID = re.compile(r"-?[1-9][0-9]{4,14}")


def whatsapp_number(text: str, field: str = "whatsapp_number") -> str:
    """The number as WhatsApp wants it (62812…), from 0812…, +62 812…, 62-812… or 812…."""
    digits = re.sub(r"[\s().\-]", "", text or "")
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not MOBILE.fullmatch(digits):
        raise ValidationFailed(_("Isi nomor HP Indonesia, misalnya 0812 3456 7890 atau +62 812 3456 7890."),
                               field=field)
    return digits


def telegram_chat_id(text: str, field: str = "telegram_chat_id") -> str:
    value = (text or "").strip()
    if not CHAT_ID.fullmatch(value):
        raise ValidationFailed(_("Isi ID obrolan Telegram berupa angka."),
                               field=field)
    return value


def normalise(channel: Channel, text: str) -> str:
    return whatsapp_number(text) if channel == Channel.WHATSAPP else telegram_chat_id(text)
