"""Regency settings read by the services (today from the configuration; BKD's settings screen comes later)."""

from __future__ import annotations

from flask import current_app


def setting(name: str) -> int:
    """A numeric setting such as BACKDATE_WORKING_DAYS or MAX_HOURS_PER_DAY."""
    return int(current_app.config[name])
