"""Password hashes: Argon2id for new ones; werkzeug's scrypt and PBKDF2 still sign in and move over."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from kinerja.auth import passwords
from kinerja.extensions import db
from tests.factories import PASSWORD

NEW_PASSWORD = "Kopi-Senja-Tugu-48"


def test_the_default_method_is_argon2id_at_owasps_minimum():
    stored = passwords.hash_password("Sandi-Yang-Panjang-2026", "argon2id")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify(stored, "Sandi-Yang-Panjang-2026")
    assert not passwords.verify(stored, "sandi-yang-panjang-2026")
    assert not passwords.needs_rehash(stored, "argon2id")


def test_argon2id_parameters_come_from_the_method():
    stored = passwords.hash_password("x", "argon2id:512:3:1")
    assert stored.startswith("$argon2id$v=19$m=512,t=3,p=1$")
    assert passwords.needs_rehash(stored, "argon2id")
    assert not passwords.needs_rehash(stored, "argon2id:512:3:1")


@pytest.mark.parametrize("method", ["argon2id:1024", "argon2id:a:b:c", "argon2id:1024:1:1:1"])
def test_a_malformed_argon2id_method_is_refused(method):
    with pytest.raises(ValueError, match="argon2id:<memory KiB>:<passes>:<lanes>"):
        passwords.hash_password("x", method)


@pytest.mark.parametrize("method", ["scrypt:1024:8:1", "pbkdf2:sha256:1000"])
def test_werkzeug_hashes_still_verify_and_move_to_argon2id(method):
    stored = generate_password_hash("rahasia-lama", method=method)
    assert passwords.verify(stored, "rahasia-lama")
    assert not passwords.verify(stored, "rahasia-baru")
    assert passwords.needs_rehash(stored, "argon2id")
    # Configured with a werkzeug method, nothing is hashed again.
    assert not passwords.needs_rehash(stored, method)
    assert passwords.hash_password("x", method).startswith(method.split(":")[0] + ":")


@pytest.mark.parametrize("stored", ["", "!", "$argon2id$rusak", "md5$abc$def"])
def test_an_unusable_or_unknown_hash_never_verifies(stored):
    assert not passwords.verify(stored, "")
    assert not passwords.verify(stored, "apa saja")


def test_signing_in_with_a_scrypt_hash_stores_it_again_with_argon2id(client, auth, org, app):
    user = org.user(org.staff_a)
    user.password_hash = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
    db.session.commit()

    assert auth.login(org.staff_a.id_number, "kata-sandi-salah").status_code == 200
    db.session.refresh(user)
    assert user.password_hash.startswith("scrypt:"), "a failed attempt changes nothing"

    assert auth.login(org.staff_a.id_number).headers["Location"] == "/"
    db.session.refresh(user)
    method = app.config["PASSWORD_HASH_METHOD"]
    assert user.password_hash.startswith("$argon2id$")
    assert not passwords.needs_rehash(user.password_hash, method)
    assert passwords.verify(user.password_hash, PASSWORD)

    # The moved hash signs in again, and changing the password keeps Argon2id.
    auth.logout()
    assert auth.login(org.staff_a.id_number).headers["Location"] == "/"
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert client.post("/kata-sandi", data=data).status_code == 302
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$") and passwords.verify(user.password_hash, NEW_PASSWORD)


def test_an_api_token_request_moves_the_hash_too(client, org):
    user = org.user(org.staff_b)
    user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    db.session.commit()
    response = client.post("/api/v1/tokens", json={"nip": org.staff_b.id_number, "password": PASSWORD, "name": "HP"})
    assert response.status_code == 201
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$") and passwords.verify(user.password_hash, PASSWORD)
