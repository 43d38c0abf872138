"""Showing a service's refusal on a page, and hidden fields rendered cheaply."""

from __future__ import annotations

from collections.abc import Collection

from flask import flash
from markupsafe import Markup, escape

from kinerja.database import reads_only_from_here
from kinerja.errors import DomainError
from kinerja.extensions import db


def show_error(form, error: DomainError, fields: Collection[str] | None = None) -> None:
    """Undo the refused step and put its message next to the field it names (one of `fields`, when given: the
    others are hidden or far from the eye), else at the top of the page. The page shown again only reads."""
    db.session.rollback()
    reads_only_from_here()
    shown = error.field if error.field and (fields is None or error.field in fields) else None
    field = getattr(form, shown, None) if shown else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")


def hidden_input(field) -> Markup:
    """A WTForms hidden field, byte for byte as its widget renders it, `{{ form.kind|hidden_input }}`: without
    the widget machinery, which cost a fifth of the attendance page for its hidden fields."""
    # WTForms' order of attributes (by name); every value escaped (Markup.format costs four times as much)
    return Markup(f'<input id="{escape(field.id)}" name="{escape(field.name)}" type="hidden" '  # noqa: S704
                  f'value="{escape(field._value())}">')
