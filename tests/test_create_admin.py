"""The CLI's `create-admin` makes a BKD admin; the demo's commands join flask as a plugin."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kinerja.auth.passwords import verify
from kinerja.models import Role, User


def create_admin(app, username: str, password: str):
    return app.test_cli_runner().invoke(args=["create-admin", "--username", username, "--password", password])


def test_create_admin_makes_a_bkd_admin(app, db):
    result = create_admin(app, "Admin.Kepegawaian", "Kuat-Sekali-Sandi-2026")
    assert result.exit_code == 0, result.output
    assert "admin.kepegawaian" in result.output
    user = db.session.scalar(select(User).where(User.username == "admin.kepegawaian"))
    assert [role.role for role in user.roles] == [Role.BKD_ADMIN]
    assert user.password_hash.startswith("$argon2id$")
    assert verify(user.password_hash, "Kuat-Sekali-Sandi-2026")
    assert user.must_change_password is False


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("bismillah123", "terlalu umum"),
        ("Pendek-1", "minimal 10 karakter"),
        ("admin.kepegawaian-2026", "tidak boleh memuat NIP atau nama pengguna"),
    ],
)
def test_create_admin_refuses_a_weak_password(app, db, password, message):
    result = create_admin(app, "admin.kepegawaian", password)
    assert not isinstance(result.exception, RuntimeError), f"crashed instead of refusing: {result.exception!r}"
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(User).where(User.username == "admin.kepegawaian")) is None


@pytest.mark.parametrize(("username", "message"), [
    ("admin.bkd", "sudah dipakai"),
    ("ADMIN.BKD", "sudah dipakai"),  # usernames are compared lower-cased
    ("admin bkd!", "hanya boleh huruf"),
])
def test_create_admin_refuses_a_taken_or_malformed_username(app, org, db, username, message):
    users = db.session.scalar(select(func.count(User.id)))
    result = create_admin(app, username, "Kuat-Sekali-Sandi-2026")
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(func.count(User.id))) == users


def test_the_demo_commands_join_flask_as_a_plugin():
    """Installed through the `flask.commands` entry point, so `flask --app wsgi seed-demo` works while the app
    itself never imports the demo."""
    import subprocess
    import sys
    from pathlib import Path

    flask = Path(sys.executable).parent / "flask"  # the installed script: the project directory is not on its path
    listing = subprocess.run([flask, "--app", "wsgi", "--help"], capture_output=True,
                             text=True, cwd=Path(__file__).resolve().parent.parent, timeout=60, check=True).stdout
    assert "seed-demo" in listing and "demo-staff-sample" in listing and "create-admin" in listing
