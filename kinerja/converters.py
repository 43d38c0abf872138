"""URL converters for days (2026-08-17) and months (2026-08)."""

from __future__ import annotations

from datetime import date

from werkzeug.routing import BaseConverter, ValidationError


class DayConverter(BaseConverter):
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError() from None

    def to_url(self, value: date) -> str:
        return value.isoformat()


class MonthConverter(BaseConverter):
    """A month as the date of its first day."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(f"{value}-01")
        except ValueError:
            raise ValidationError() from None

    def to_url(self, value: date) -> str:
        return f"{value:%Y-%m}"
