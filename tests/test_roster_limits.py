"""Roster limits (issue 22, item 5): a published roster is not pushed over the WFO cap by a cell edit without an
audited override, and an essential unit larger than its capacity is reported with a way to fix it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from kinerja.errors import ValidationFailed
from kinerja.models import AuditEntry, CapReason, RosterEntry, WorkMode
from kinerja.roster import caps, services
from tests.factories import PositionFactory

pytestmark = pytest.mark.calendar  # the grid shows today: tests/dates.py runs it at other moments

MONDAY = date(2026, 11, 30)
WFO, WFH = WorkMode.WFO, WorkMode.WFH


@pytest.fixture()
def roster(org, db):
    """Agency A (6 people) under 50%: three places a day, all taken by the generated roster, published."""
    caps.set_cap(org.bkd_admin, org.agency_a, percent=None, valid_from=date(2025, 1, 1), valid_to=None,
                 reason_kind=CapReason.PPKM_3, reason="")
    made = services.generate_roster(org.bkd_admin, org.agency_a, MONDAY, MONDAY + timedelta(days=4))
    services.publish(org.bkd_admin, made)
    return made


def at_home(db, roster, day=MONDAY) -> RosterEntry:
    return db.session.scalar(select(RosterEntry).where(
        RosterEntry.roster_id == roster.id, RosterEntry.day == day, RosterEntry.mode == WFH)
        .order_by(RosterEntry.employee_id).limit(1))


def office_count(db, roster, day=MONDAY) -> int:
    return len(db.session.scalars(select(RosterEntry.id).where(
        RosterEntry.roster_id == roster.id, RosterEntry.day == day, RosterEntry.mode == WFO)).all())


def audit(db, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- The service ---------------------------------------------------------------------------------------------

def test_a_published_roster_refuses_a_fourth_wfo_showing_the_cap(org, roster, db):
    home = at_home(db, roster)
    with pytest.raises(ValidationFailed) as refused:
        services.set_entry(org.agency_admin_a, roster, home.employee_id, MONDAY, WFO)
    assert refused.value.field == "override"
    assert refused.value.message.startswith("Batas WFO 50%: pada 30-11-2026 paling banyak 3 pegawai di kantor, "
                                            "dan 3 sudah dijadwalkan WFO.")
    db.session.rollback()
    assert office_count(db, roster) == 3 and audit(db, "override_wfo_cap") == []


def test_an_override_needs_a_reason(org, roster, db):
    home = at_home(db, roster)
    with pytest.raises(ValidationFailed) as refused:
        services.set_entry(org.agency_admin_a, roster, home.employee_id, MONDAY, WFO, override_reason="  ")
    assert refused.value.field == "override_reason"
    db.session.rollback()
    assert office_count(db, roster) == 3


def test_an_override_with_a_reason_is_kept_and_audited(org, roster, db):
    home = at_home(db, roster)
    services.set_entry(org.agency_admin_a, roster, home.employee_id, MONDAY, WFO,
                       override_reason="Pelayanan KTP-el jemput bola")
    assert office_count(db, roster) == 4
    [entry] = audit(db, "override_wfo_cap")
    assert (entry.from_state, entry.to_state, entry.actor_id) == ("3/3", "4/3", org.agency_admin_a.id)
    assert "30-11-2026" in entry.reason and "Pelayanan KTP-el jemput bola" in entry.reason


def test_a_draft_or_a_change_within_the_cap_needs_no_override(org, db):
    caps.set_cap(org.bkd_admin, org.agency_a, percent=None, valid_from=date(2025, 1, 1), valid_to=None,
                 reason_kind=CapReason.PPKM_3, reason="")
    draft = services.generate_roster(org.bkd_admin, org.agency_a, MONDAY, MONDAY + timedelta(days=4))
    services.set_entry(org.agency_admin_a, draft, at_home(db, draft).employee_id, MONDAY, WFO)  # the grid warns
    assert office_count(db, draft) == 4
    services.publish(org.bkd_admin, draft)
    office = db.session.scalar(select(RosterEntry).where(
        RosterEntry.roster_id == draft.id, RosterEntry.day == MONDAY, RosterEntry.mode == WFO).limit(1))
    services.set_entry(org.agency_admin_a, draft, office.employee_id, MONDAY, WFH)  # back to 3/3: allowed
    services.set_entry(org.agency_admin_a, draft, office.employee_id, MONDAY, WFH)  # unchanged: allowed
    assert office_count(db, draft) == 3 and audit(db, "override_wfo_cap") == []


# --- The page ------------------------------------------------------------------------------------------------

def test_the_grid_asks_for_the_override_and_keeps_it_with_its_reason(client, auth, org, roster, db):
    home = at_home(db, roster)
    cell = f"{home.employee_id}:{MONDAY.isoformat()}:WFO"
    url = f"/opd/{org.agency_a.id}/jadwal/{roster.id}/sel"
    auth.login("admin.a")
    refused = client.post(url, data={"cell": cell})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Batas WFO 50%: pada 30-11-2026 paling banyak 3 pegawai di kantor" in text
    assert 'id="roster-override"' in text and 'name="override"' in text and 'name="override_reason"' in text
    assert f'value="{cell}"' in text
    # Ticked without a reason: asked again, nothing saved.
    again = client.post(url, data={"cell": cell, "override": "y", "override_reason": ""})
    assert again.status_code == 422 and "Tulis alasan melampaui batas WFO." in again.get_data(as_text=True)
    assert office_count(db, roster) == 3
    done = client.post(url, data={"cell": cell, "override": "y", "override_reason": "Rapat evaluasi pelayanan"})
    assert done.status_code == 302
    db.session.expire_all()
    assert office_count(db, roster) == 4
    [entry] = audit(db, "override_wfo_cap")
    assert "Rapat evaluasi pelayanan" in entry.reason
    page = client.get(done.location).get_data(as_text=True)
    assert "OPD, 30-11-2026: 4 WFO melebihi kapasitas 3." in page


def test_the_override_form_needs_the_csrf_token(app, client, auth, org, roster, db, monkeypatch):
    home = at_home(db, roster)
    auth.login("admin.a")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(f"/opd/{org.agency_a.id}/jadwal/{roster.id}/sel", data={
        "cell": f"{home.employee_id}:{MONDAY.isoformat()}:WFO", "override": "y", "override_reason": "Rapat"})
    assert response.status_code == 400
    assert office_count(db, roster) == 3


def test_an_essential_unit_over_its_capacity_is_reported_with_the_setting_that_fixes_it(client, auth, org, db):
    caps.set_cap(org.bkd_admin, org.agency_a, percent=25, valid_from=date(2025, 1, 1), valid_to=None,
                 reason_kind=CapReason.ZONE_HIGH, reason="")
    caps.set_unit_essential(org.bkd_admin, org.staff_a.assignments[0].unit, True)  # Seksi A1: 3 people
    made = services.generate_roster(org.bkd_admin, org.agency_a, MONDAY, MONDAY + timedelta(days=4))
    auth.login("admin.a")
    text = client.get(f"/opd/{org.agency_a.id}/jadwal/{made.id}").get_data(as_text=True)
    assert 'id="roster-essential"' in text
    assert ("Seksi A1: 3 pegawai esensial selalu WFO, sedangkan kapasitas unit 1 pegawai (batas 25%), pada 5 hari "
            "kerja.") in text
    assert f'href="/opd/{org.agency_a.id}/kuota-wfo#unit-esensial"' in text
    assert 'id="unit-esensial"' in client.get(f"/opd/{org.agency_a.id}/kuota-wfo").get_data(as_text=True)


def test_essential_positions_over_capacity_point_bkd_to_the_positions(client, auth, org, db):
    caps.set_cap(org.bkd_admin, org.agency_a, percent=25, valid_from=date(2025, 1, 1), valid_to=None,
                 reason_kind=CapReason.ZONE_HIGH, reason="")
    nurse = PositionFactory(name="Perawat Terampil", essential=True)
    for person in (org.staff_a, org.staff_a2):
        person.assignments[0].position = nurse
    db.session.commit()
    made = services.generate_roster(org.bkd_admin, org.agency_a, MONDAY, MONDAY + timedelta(days=4))
    auth.login("admin.a")
    text = client.get(f"/opd/{org.agency_a.id}/jadwal/{made.id}").get_data(as_text=True)
    assert "Seksi A1: 2 pegawai esensial selalu WFO" in text and "ditandai oleh BKD" in text
    auth.logout()
    auth.login("admin.bkd")
    text = client.get(f"/opd/{org.agency_a.id}/jadwal/{made.id}").get_data(as_text=True)
    assert 'href="/bkd/jabatan-esensial"' in text


def test_no_report_when_essential_staff_fit(client, auth, org, roster):
    auth.login("admin.a")
    assert 'id="roster-essential"' not in client.get(
        f"/opd/{org.agency_a.id}/jadwal/{roster.id}").get_data(as_text=True)
