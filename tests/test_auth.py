"""Sign-in, the password policy, password change and the first-sign-in password rule."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from kinerja import clock
from kinerja.auth.services import password_problems
from tests.factories import PASSWORD

GENERIC_ERROR = "NIP/nama pengguna atau kata sandi salah."
SHORT = "Kata sandi minimal 10 karakter."
IDENTITY = "Kata sandi tidak boleh memuat NIP atau nama pengguna."
COMMON = "Kata sandi terlalu umum dan mudah ditebak."
GOOD_PASSWORD = "Kopi-Senja-Tugu-48"


def alerts(response) -> list[str]:
    """The flashed messages shown on the page."""
    return re.findall(r'role="alert">\s*(.*?)\s*<button', response.get_data(as_text=True), re.S)


def change_password(client, current=PASSWORD, new=GOOD_PASSWORD, confirm=None):
    data = {"current_password": current, "new_password": new, "confirm_password": confirm or new}
    return client.post("/kata-sandi", data=data)


def spaced(nip: str) -> str:
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def dotted(nip: str) -> str:
    return f"{nip[:8]}.{nip[8:14]}.{nip[14]}.{nip[15:]}"


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(lambda org: org.staff_a.id_number, id="nip"),
        pytest.param(lambda org: spaced(org.staff_a.id_number), id="nip-with-spaces"),
        pytest.param(lambda org: dotted(org.staff_a.id_number), id="nip-with-dots"),
        pytest.param(lambda org: f"  {org.staff_a.id_number} ", id="nip-padded"),
    ],
)
def test_staff_sign_in_with_nip_in_any_typed_form(client, auth, org, typed):
    response = auth.login(typed(org))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Staf A" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("typed", ["admin.bkd", "Admin.BKD"])
def test_admin_signs_in_with_username(client, auth, org, typed):
    assert auth.login(typed).headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_sign_in_records_last_login(client, auth, org):
    user = org.user(org.staff_a)
    assert user.last_login_at is None
    auth.login(org.staff_a.id_number)
    user = org.user(org.staff_a)
    assert user.last_login_at is not None
    assert abs(clock.utcnow() - user.last_login_at) < timedelta(minutes=1)


def _unknown_user(org, db):
    return "199901012020011999", PASSWORD


def _unknown_username(org, db):
    return "tidak.ada", PASSWORD


def _wrong_password(org, db):
    return org.staff_a.id_number, "Salah-Sekali-123"


def _disabled_account(org, db):
    org.user(org.staff_a).is_enabled = False
    db.session.commit()
    return org.staff_a.id_number, PASSWORD


def _inactive_employee(org, db):
    org.staff_a.active = False
    db.session.commit()
    return org.staff_a.id_number, PASSWORD


def without_csrf_token(page: str) -> str:
    """The page with its CSRF tokens blanked: each is signed with the second it was made in, so two answers a
    second apart differ there and nowhere else."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1"', page)


@pytest.mark.parametrize(
    "case", [_unknown_user, _unknown_username, _wrong_password, _disabled_account, _inactive_employee]
)
def test_every_refused_sign_in_gets_the_same_generic_answer(client, auth, org, db, case):
    reference = auth.login("198501012010011999", "Apa-Saja-Kata-99")
    identifier, password = case(org, db)
    response = auth.login(identifier, password)
    assert response.status_code == reference.status_code == 200
    assert alerts(response) == alerts(reference) == [GENERIC_ERROR]
    page = without_csrf_token(response.get_data(as_text=True).replace(identifier, ""))
    assert page == without_csrf_token(reference.get_data(as_text=True).replace("198501012010011999", ""))
    assert client.get("/").status_code == 302


# (who signs in, new password – "{nip}" is replaced by the staff member's NIP, expected problem or None)
POLICY = [
    pytest.param("staff", "Pendek-1", SHORT, id="too-short"),
    pytest.param("staff", "Ab-{nip}", IDENTITY, id="contains-nip"),
    pytest.param("admin.a", "xx-admin.a-Kuat-99", IDENTITY, id="contains-username"),
    pytest.param("admin.a", "xx-ADMIN.A-Kuat-99", IDENTITY, id="contains-username-other-case"),
    pytest.param("staff", "password123", COMMON, id="common-english"),
    pytest.param("staff", "bismillah123", COMMON, id="common-indonesian"),
    pytest.param("staff", "qwertyuiop", COMMON, id="keyboard-walk"),
    pytest.param("staff", "aaaaaaaaaaaa", COMMON, id="one-character"),
    pytest.param("staff", GOOD_PASSWORD, None, id="good"),
]


def _login_name(org, who: str) -> str:
    return org.staff_a.id_number if who == "staff" else who


@pytest.mark.parametrize(("who", "password", "problem"), POLICY)
def test_password_policy_in_change_form(client, auth, org, who, password, problem):
    auth.login(_login_name(org, who))
    response = change_password(client, new=password.format(nip=org.staff_a.id_number))
    if problem is None:
        assert response.headers["Location"] == "/"
    else:
        assert response.status_code == 200
        assert problem in response.get_data(as_text=True)


@pytest.fixture()
def request_context(app, db):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(("who", "password", "problem"), POLICY)
def test_password_problems(org, request_context, who, password, problem):
    user = org.user(org.staff_a) if who == "staff" else org.agency_admin_a
    problems = password_problems(password.format(nip=org.staff_a.id_number), user)
    assert problems == ([problem] if problem else [])


def test_password_problems_lists_every_reason(request_context):
    assert password_problems("password", None) == [SHORT, COMMON]


def test_password_policy_applies_outside_a_request(app, db):
    """`flask create-admin` checks the password with no request: a weak one is refused, not a crash."""
    result = app.test_cli_runner().invoke(args=["create-admin", "--username", "uji", "--password", "password"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert COMMON in result.output


def test_changed_password_is_the_one_that_signs_in(client, auth, org):
    auth.login(org.staff_a.id_number)
    change_password(client)
    auth.logout()
    assert auth.login(org.staff_a.id_number).status_code == 200  # the old one no longer works
    assert auth.login(org.staff_a.id_number, GOOD_PASSWORD).headers["Location"] == "/"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"current": "Bukan-Sandi-Ini-1"}, "Kata sandi saat ini salah.", id="wrong-current"),
        pytest.param({"new": PASSWORD}, "Kata sandi baru harus berbeda dari yang lama.", id="same-as-old"),
        pytest.param({"confirm": "Kopi-Senja-Tugu-49"}, "Kedua kata sandi baru tidak sama.", id="mismatch"),
    ],
)
def test_password_change_refused(client, auth, org, fields, message):
    auth.login(org.staff_a.id_number)
    before = org.user(org.staff_a).password_hash
    response = change_password(client, **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert org.user(org.staff_a).password_hash == before


@pytest.fixture()
def newcomer(org, db):
    """Staff member A, whose account still has its initial password."""
    org.user(org.staff_a).must_change_password = True
    db.session.commit()
    return org.staff_a


def test_first_sign_in_goes_to_password_change(client, auth, newcomer):
    response = auth.login(newcomer.id_number, next="/profil")
    assert response.headers["Location"] == "/kata-sandi"
    page = client.get("/kata-sandi")
    assert page.status_code == 200
    assert "Ini masuk pertama Anda" in page.get_data(as_text=True)


def test_first_sign_in_page_says_it_once_and_still_asks_for_the_initial_password(client, auth, org, newcomer):
    auth.login(newcomer.id_number)
    page = client.get("/kata-sandi")
    markup = page.get_data(as_text=True)
    assert alerts(page) == []  # no flashed notice repeating the page's own
    assert markup.count('class="alert') == 1 and markup.count("Ini masuk pertama Anda") == 1
    label = re.search(r'<label[^>]*for="current_password"[^>]*>(.*?)</label>', markup, re.S).group(1)
    assert label.strip() == "Kata sandi awal"
    assert "Kata sandi yang baru saja Anda pakai untuk masuk" in markup
    # still required and still checked
    before = org.user(newcomer).password_hash
    for current in ("", "Bukan-Sandi-Ini-1"):
        refused = change_password(client, current=current)
        assert refused.status_code == 200 and org.user(newcomer).password_hash == before
    assert change_password(client).headers["Location"] == "/"


def test_an_ordinary_password_change_asks_for_the_current_password(client, auth, org):
    auth.login(org.staff_a.id_number)
    markup = client.get("/kata-sandi").get_data(as_text=True)
    assert re.search(r'<label[^>]*for="current_password"[^>]*>\s*Kata sandi saat ini\s*</label>', markup)
    assert 'class="alert' not in markup


def test_first_sign_in_user_is_held_at_password_change(client, auth, newcomer):
    auth.login(newcomer.id_number)
    for path in ["/", "/profil", f"/pegawai/{newcomer.id}"]:
        response = client.get(path)
        assert (response.status_code, response.headers.get("Location")) == (302, "/kata-sandi"), path


def test_first_sign_in_hold_ends_after_password_change(client, auth, org, newcomer):
    auth.login(newcomer.id_number)
    assert change_password(client).headers["Location"] == "/"
    for path in ["/", "/profil", f"/pegawai/{newcomer.id}"]:
        assert client.get(path).status_code == 200, path
    assert org.user(newcomer).must_change_password is False
