"""Helpers for the security sweep: walk every route as a user of the right role, read pages, snapshot the data.

The sweep tests (tests/test_security_*.py) use them to check each route, not a sample of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from kinerja.extensions import db
from kinerja.models import ActivityStatus, Assignment, Evidence, EvidenceKind
from tests.factories import PASSWORD, ActivityFactory, Organisation
from tests.test_security import sample_arguments

# Who opens which part of the site: the first matching prefix wins; everything else is a staff member's page.
ROLE_BY_PREFIX = (
    ("/admin", "superadmin"),
    ("/bkd", "bkd"),
    ("/audit", "bkd"),
    ("/skp/distribusi", "bkd"),
    ("/opd", "agency_admin"),
    ("/presensi/opd", "agency_admin"),
    ("/presensi/tinjauan", "agency_admin"),
    ("/pemeriksaan", "appraiser"),
    ("/skp/periksa", "appraiser"),
    ("/skp/evaluasi", "appraiser"),
    ("/laporan/pegawai", "appraiser"),
)
CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def role_for(path: str) -> str:
    """The role whose user the sweep signs in to open `path`."""
    return next((role for prefix, role in ROLE_BY_PREFIX if path.startswith(prefix)), "staff")


def sign_in_names(org: Organisation) -> dict[str, str]:
    """The sign-in identifier of one user per role."""
    return {"superadmin": "superadmin", "bkd": "admin.bkd", "agency_admin": "admin.a",
            "appraiser": org.appraiser_a.id_number, "staff": org.staff_a.id_number}


def signed_in_clients(app: Flask, org: Organisation, roles: tuple[str, ...] = ()) -> dict[str, FlaskClient]:
    """One browser per role (every role unless some are named), each signed in through the real form."""
    clients = {}
    for role, identifier in sign_in_names(org).items():
        if roles and role not in roles:
            continue
        client = app.test_client()
        response = client.post("/masuk", data={"identifier": identifier, "password": PASSWORD})
        assert response.status_code == 302, f"{role} could not sign in"
        clients[role] = client
    return clients


@dataclass(frozen=True)
class Seeded:
    """Ids of real records, so routes answer with their page rather than a 404."""

    ids: dict[str, object]


def seed(org: Organisation) -> Seeded:
    """Staff A's submitted activity with a link; the ids the walk fills route arguments with."""
    activity = ActivityFactory(employee=org.staff_a, status=ActivityStatus.SUBMITTED)
    link = Evidence(activity=activity, kind=EvidenceKind.LINK, url="https://arsip.contoh.go.id/1")
    db.session.add(link)
    db.session.commit()
    unit_id, position_id = db.session.execute(select(Assignment.unit_id, Assignment.position_id)
                                              .where(Assignment.employee_id == org.staff_a.id)).first()
    return Seeded({
        "agency_id": org.agency_a.id, "employee_id": org.staff_a.id, "user_id": org.user(org.staff_a).id,
        "unit_id": unit_id, "position_id": position_id, "activity_id": activity.id, "evidence_id": link.id,
        "filename": "css/app.css",
        "code": "ABCD-EFGH", "periode": "2026",
    })


def arguments(rule: Rule, seeded: Seeded) -> dict:
    """Route arguments: seeded ids where there is one, else tests.test_security.sample_arguments."""
    values = sample_arguments(rule)
    for name, converter in rule._converters.items():
        if name in seeded.ids:
            values[name] = seeded.ids[name]
        elif name == "month" and type(converter).__name__ == "UnicodeConverter":
            values[name] = "2026-11"  # skp.evaluate takes the month as text
    return values


MACHINE_PREFIX = "/iclock/"  # attendance machines' protocol: no cookies, no forms (tests/test_devices.py)


def rules(app: Flask, methods: frozenset[str], *, api: bool) -> Iterator[Rule]:
    """Every rule answering one of `methods`, inside /api/ or outside it (the machines' /iclock/ in neither)."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda item: item.rule):
        if rule.rule.startswith(MACHINE_PREFIX):
            continue
        if rule.methods & methods and rule.rule.startswith("/api/") == api:
            yield rule


def url_for_rule(app: Flask, rule: Rule, seeded: Seeded) -> str:
    return app.url_map.bind("localhost").build(rule.endpoint, arguments(rule, seeded))


def data_fingerprint() -> str:
    """A digest of every row of every table: equal before and after means nothing was written."""
    digest = hashlib.sha256()
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        for row in db.session.execute(select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
    db.session.rollback()
    return digest.hexdigest()


class PageMarkup(HTMLParser):
    """What a page's HTML holds that the content security policy would block or a form would miss."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.forms_without_token = 0
        self._in_script = self._in_post_form = self._form_has_token = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> (inline event handler)")
            if name == "style":
                self.problems.append(f"<{tag} style=...> (inline style)")
            if name in {"href", "src", "action", "formaction"} and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")
            if name in {"href", "src"} and tag in {"script", "link"} and not value.startswith("/"):
                self.problems.append(f"<{tag} {name}={value!r}> (not this site)")
            if name in {"href", "src", "action"} and value.startswith("//"):
                self.problems.append(f"<{tag} {name}={value!r}> (protocol-relative: another host)")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            self._in_script = True
            if "src" not in values:
                self.problems.append("<script> without src")
        if tag == "form" and values.get("method", "get").lower() == "post":
            self._in_post_form, self._form_has_token = True, False
        if tag == "input" and values.get("name") == "csrf_token" and self._in_post_form:
            self._form_has_token = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        if tag == "form" and self._in_post_form:
            self.forms_without_token += not self._form_has_token
            self._in_post_form = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("<script> with inline code")


def read_markup(html: str) -> PageMarkup:
    page = PageMarkup()
    page.feed(html)
    page.close()
    return page

