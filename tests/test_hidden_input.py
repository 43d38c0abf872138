"""`hidden_input` (kinerja.core.forms) writes what WTForms' hidden widget writes, byte for byte: the values a
refused form sent coming back, escaped the same way."""

from __future__ import annotations

import re

import pytest

from kinerja.attendance.forms import CheckForm
from kinerja.core.forms import hidden_input


@pytest.mark.parametrize("name", ["csrf_token", "kind", "latitude", "longitude", "accuracy", "device_id"])
def test_hidden_input_matches_the_widget(app, name, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    data = {"latitude": '-6.9"<x>', "kind": "in", "device_id": "ab&c'"}
    with app.test_request_context("/presensi/", method="POST", data=data):
        form = CheckForm()
        form.validate()
        field = getattr(form, name)
        assert str(hidden_input(field)) == str(field())


def test_the_attendance_page_carries_its_hidden_fields(client, auth, org):
    auth.login(org.staff_a.id_number)
    page = client.get("/presensi/").get_data(as_text=True)
    assert re.search(r'<input type="hidden" name="csrf_token" value="[^"]+">', page)
    for name in ("kind", "latitude", "longitude", "accuracy", "device_id"):
        assert re.search(rf'<input id="{name}" name="{name}" type="hidden" value="[^"]*">', page), name
    assert '<input id="kind" name="kind" type="hidden" value="in">' in page
