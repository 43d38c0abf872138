"""Forms of the job pages: the cancel and retry buttons carry only the CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm


class JobActionForm(FlaskForm):
    """A button that changes a job (cancel, retry)."""
