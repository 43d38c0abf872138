"""SKP: drafting, copying, submitting, approving, returning and revising a plan; the cascade from the appraiser's
approved plan; who may decide; IKI on the activity form and in the activity rules; monthly realisation per IKI.

Today is Wednesday 18 November 2026 in Jakarta (tests.factories.FIXED_NOW).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from kinerja import notify
from kinerja.activities import services as activity_services
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.models import (
    ActingAssignment,
    Activity,
    ActivityStatus,
    Assignment,
    AuditEntry,
    BehaviourExpectation,
    BehaviourValue,
    Employee,
    Iki,
    IkiAspect,
    Notification,
    Rhk,
    RhkKind,
    Skp,
    SkpStatus,
    User,
)
from kinerja.skp import queries, services
from kinerja.skp.services import IkiInput, LampiranInput, RhkInput
from tests.factories import ActivityFactory, activity_form, activity_input, freeze_now

TODAY = date(2026, 11, 18)
TUE = date(2026, 11, 17)
NO_APPROVED = "Pejabat penilai Anda belum memiliki SKP yang disetujui, sehingga RHK belum dapat diturunkan."


@pytest.fixture(autouse=True)
def today(monkeypatch):
    freeze_now(monkeypatch, TODAY)
    return TODAY


def user(db, employee: Employee) -> User:
    return db.session.scalar(select(User).where(User.employee_id == employee.id))


def plan(db, employee: Employee, *, status=SkpStatus.APPROVED, year: int = 2026, text: str = "Layanan prima",
         unit: str = "dokumen", parent: Rhk | None = None, start: date | None = None, end: date | None = None) -> Skp:
    """A plan stored as is (the workflow is tested through the services): one RHK utama with one IKI."""
    appraiser_id = db.session.scalar(select(Assignment.appraiser_id).where(Assignment.employee_id == employee.id))
    skp = Skp(employee_id=employee.id, appraiser_id=appraiser_id, period_start=start or date(year, 1, 1),
              period_end=end or date(year, 12, 31), status=status, version=1)
    skp.behaviours = [BehaviourExpectation(value=value, expectation="") for value in BehaviourValue]
    skp.rhk = [Rhk(kind=RhkKind.MAIN, text=text, position=1, parent_rhk_id=parent.id if parent else None,
                   indicators=[Iki(text=f"Jumlah {unit} {text}", target_value=Decimal(12), unit=unit)])]
    db.session.add(skp)
    db.session.commit()
    return skp


def iki_of(skp: Skp) -> Iki:
    return skp.rhk[0].indicators[0]


def actions(db, skp_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "skp",
                                                                   AuditEntry.object_id == skp_id)
                                   .order_by(AuditEntry.id)))


def complete_draft(db, org) -> Skp:
    """Staff A's draft: one RHK under the appraiser's approved RHK, with an IKI."""
    boss = plan(db, org.appraiser_a, text="Pelayanan administrasi kependudukan")
    staff = user(db, org.staff_a)
    skp = services.create_skp(staff)
    rhk = services.add_rhk(staff, skp, RhkInput(RhkKind.MAIN, "Verifikasi berkas", boss.rhk[0].id))
    services.add_iki(staff, rhk, IkiInput("Berkas terverifikasi", Decimal(120), "berkas"))
    return skp


# ------------------------------------------------------------------------------------------------- plans


def test_create_defaults_to_the_year_with_the_appraiser_and_seven_values(db, org):
    skp = services.create_skp(user(db, org.staff_a))
    assert (skp.period_start, skp.period_end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert skp.appraiser_id == org.appraiser_a.id and skp.status is SkpStatus.DRAFT and skp.version == 1
    assert [item.value for item in skp.behaviours] == list(BehaviourValue)
    assert actions(db, skp.id) == ["create"]


def test_appraiser_is_taken_from_the_assignment_at_the_period_start(db, org):
    history = db.session.scalar(select(Assignment).where(Assignment.employee_id == org.staff_a.id))
    history.valid_from = date(2026, 7, 1)
    db.session.add(Assignment(employee_id=org.staff_a.id, agency_id=history.agency_id, unit_id=history.unit_id,
                              position_id=history.position_id, appraiser_id=org.other_appraiser_a.id,
                              valid_from=date(2024, 1, 1), valid_to=date(2026, 6, 30)))
    db.session.commit()
    assert services.create_skp(user(db, org.staff_a)).appraiser_id == org.other_appraiser_a.id


@pytest.mark.parametrize("status", [SkpStatus.DRAFT, SkpStatus.SUBMITTED, SkpStatus.RETURNED, SkpStatus.APPROVED])
def test_a_second_plan_for_an_overlapping_period_is_refused(db, org, status):
    plan(db, org.staff_a, status=status, start=date(2026, 1, 1), end=date(2026, 6, 30))
    with pytest.raises(ValidationFailed) as refused:
        services.create_skp(user(db, org.staff_a), date(2026, 6, 1), date(2026, 12, 31))
    assert refused.value.field == "period_start"
    assert services.create_skp(user(db, org.staff_a), date(2026, 7, 1), date(2026, 12, 31)).id


@pytest.mark.parametrize(("start", "end"), [(date(2026, 6, 1), date(2026, 5, 1)),
                                            (date(2026, 6, 1), date(2027, 5, 1)),
                                            (date(2020, 1, 1), date(2020, 12, 31))])
def test_bad_periods_are_refused(db, org, start, end):
    with pytest.raises(ValidationFailed):
        services.create_skp(user(db, org.staff_a), start, end)


def test_copy_last_period_as_a_starting_draft(db, org):
    boss = plan(db, org.appraiser_a, year=2025)
    last = plan(db, org.staff_a, year=2025, text="Verifikasi berkas", unit="berkas", parent=boss.rhk[0])
    last.konsekuensi = "Teguran tertulis"
    db.session.commit()
    skp = services.create_skp(user(db, org.staff_a), copy_from=last)
    assert skp.year == 2026 and skp.status is SkpStatus.DRAFT and skp.konsekuensi == "Teguran tertulis"
    assert [(rhk.text, rhk.parent_rhk_id) for rhk in skp.rhk] == [("Verifikasi berkas", None)]
    assert [(iki.unit, iki.target_value) for iki in skp.rhk[0].indicators] == [("berkas", Decimal(12))]
    assert iki_of(skp).id != iki_of(last).id


def test_cannot_copy_someone_elses_plan(db, org):
    with pytest.raises(NotAllowed):
        services.create_skp(user(db, org.staff_a), copy_from=plan(db, org.staff_a2, year=2025))


# ----------------------------------------------------------------------------------------------- cascade


def test_rhk_cascades_from_the_appraisers_approved_plan(db, org):
    skp = complete_draft(db, org)
    boss_rhk = queries.appraiser_skp(skp).rhk[0]
    assert skp.rhk[0].parent_rhk_id == boss_rhk.id
    assert [rhk.id for rhk in queries.parent_choices(skp)] == [boss_rhk.id]


def test_cannot_link_to_another_appraisers_rhk(db, org):
    plan(db, org.appraiser_a)
    foreign = plan(db, org.other_appraiser_a, text="RHK bidang lain")
    staff = user(db, org.staff_a)
    skp = services.create_skp(staff)
    with pytest.raises(ValidationFailed) as refused:
        services.add_rhk(staff, skp, RhkInput(RhkKind.MAIN, "Verifikasi", foreign.rhk[0].id))
    assert refused.value.field == "parent_rhk_id" and "bukan bagian dari SKP pejabat penilai" in refused.value.message


@pytest.mark.parametrize("status", [None, SkpStatus.DRAFT, SkpStatus.SUBMITTED, SkpStatus.RETURNED])
def test_cannot_cascade_without_an_approved_appraiser_plan(db, org, status):
    boss = plan(db, org.appraiser_a, status=status) if status else None
    staff = user(db, org.staff_a)
    skp = services.create_skp(staff)
    with pytest.raises(ValidationFailed) as refused:
        services.add_rhk(staff, skp, RhkInput(RhkKind.MAIN, "Verifikasi", boss.rhk[0].id if boss else None))
    assert refused.value.message == NO_APPROVED


def test_the_plain_message_is_on_the_page(client, auth, db, org):
    skp_id = services.create_skp(user(db, org.staff_a)).id
    auth.login(org.staff_a.id_number)
    assert NO_APPROVED in client.get(f"/skp/{skp_id}").get_data(as_text=True)
    response = client.post(f"/skp/{skp_id}/rhk", data={"kind": "utama", "text": "Verifikasi", "parent_rhk_id": "0"})
    assert response.status_code == 422 and NO_APPROVED in response.get_data(as_text=True)


def test_rhk_of_an_older_version_of_the_appraisers_plan_is_refused(db, org):
    old = plan(db, org.appraiser_a)
    services.revise_skp(user(db, org.appraiser_a), old)
    newer = db.session.scalar(select(Skp).where(Skp.previous_version_id == old.id))
    newer.status = SkpStatus.APPROVED
    db.session.commit()
    staff = user(db, org.staff_a)
    skp = services.create_skp(staff)
    with pytest.raises(ValidationFailed):
        services.add_rhk(staff, skp, RhkInput(RhkKind.MAIN, "Verifikasi", old.rhk[0].id))
    assert services.add_rhk(staff, skp, RhkInput(RhkKind.MAIN, "Verifikasi", newer.rhk[0].id)).id


def test_additional_rhk_may_stand_alone(db, org):
    staff = user(db, org.staff_a)
    skp = services.create_skp(staff)
    assert services.add_rhk(staff, skp, RhkInput(RhkKind.ADDITIONAL, "Panitia HUT kota")).parent_rhk_id is None


def test_top_official_cascades_from_the_agency_goal(db, org):
    head = user(db, org.head_a)
    skp = services.create_skp(head)
    assert skp.appraiser_id is None
    rhk = services.add_rhk(head, skp, RhkInput(RhkKind.MAIN, "Meningkatnya kualitas layanan"))
    services.add_iki(head, rhk, IkiInput("Indeks kepuasan masyarakat", Decimal(85), "indeks", IkiAspect.QUALITY))
    with pytest.raises(ValidationFailed) as refused:
        services.submit_skp(head, skp)
    assert refused.value.field == "agency_goal"
    services.save_lampiran(head, skp, LampiranInput(agency_goal="Terwujudnya pelayanan publik prima"))
    services.submit_skp(head, skp)
    services.approve_skp(org.agency_admin_a, skp, TODAY)  # the agency's admins decide for the regent
    assert skp.status is SkpStatus.APPROVED


def test_rhk_and_iki_edit_and_delete(db, org):
    skp = complete_draft(db, org)
    staff = user(db, org.staff_a)
    rhk, iki = skp.rhk[0], iki_of(skp)
    services.update_rhk(staff, rhk, RhkInput(RhkKind.MAIN, "Verifikasi berkas kependudukan", rhk.parent_rhk_id))
    services.update_iki(staff, iki, IkiInput("Berkas selesai", Decimal("150.5"), " Berkas ", IkiAspect.QUANTITY))
    assert (rhk.text, iki.target_value, iki.unit) == ("Verifikasi berkas kependudukan", Decimal("150.50"), "Berkas")
    with pytest.raises(ValidationFailed) as refused:
        services.update_iki(staff, iki, IkiInput("Berkas selesai", Decimal(0), "berkas"))
    assert refused.value.field == "target_value"
    services.delete_iki(staff, iki)
    services.delete_rhk(staff, rhk)
    assert db.session.scalar(select(Iki).where(Iki.id == iki.id)) is None and skp.rhk == []


def rhk_data(rhk: Rhk, **fields) -> dict:
    """The inline "Ubah RHK" form of an RHK as posted (its fields are prefixed with the RHK's id)."""
    values = {"kind": rhk.kind.value, "text": rhk.text, "parent_rhk_id": str(rhk.parent_rhk_id or 0), **fields}
    return {f"rhk-{rhk.id}-{name}": value for name, value in values.items()}


def iki_data(iki: Iki, **fields) -> dict:
    values = {"text": iki.text, "target_value": str(iki.target_value), "unit": iki.unit, "aspect": iki.aspect.value,
              **fields}
    return {f"iki-{iki.id}-{name}": value for name, value in values.items()}


def test_owner_edits_rhk_and_iki_through_the_inline_forms(client, auth, db, org):
    skp = complete_draft(db, org)
    rhk, iki = skp.rhk[0], iki_of(skp)
    auth.login(org.staff_a.id_number)
    page = client.get(f"/skp/{skp.id}").get_data(as_text=True)
    assert f'id="rhk-{rhk.id}-text"' in page and f'id="iki-{iki.id}-target_value"' in page
    response = client.post(f"/skp/rhk/{rhk.id}/ubah", data=rhk_data(rhk, text="Verifikasi berkas pindah datang"))
    assert response.status_code == 302 and response.location.endswith(f"/skp/{skp.id}#rhk-{rhk.id}")
    response = client.post(f"/skp/iki/{iki.id}/ubah", data=iki_data(iki, text="Berkas pindah terverifikasi",
                                                                     target_value="150.5", unit="dokumen",
                                                                     aspect="kualitas"),
                           follow_redirects=True)
    assert "Indikator diubah." in response.get_data(as_text=True)
    db.session.expire_all()
    assert (rhk.text, rhk.parent_rhk_id) == ("Verifikasi berkas pindah datang", queries.appraiser_skp(skp).rhk[0].id)
    assert (iki.text, iki.target_value, iki.unit, iki.aspect) == ("Berkas pindah terverifikasi", Decimal("150.50"),
                                                                  "dokumen", IkiAspect.QUALITY)


def test_a_main_rhk_becomes_additional_without_a_parent_and_goes_last(db, org):
    skp = complete_draft(db, org)
    staff = user(db, org.staff_a)
    extra = services.add_rhk(staff, skp, RhkInput(RhkKind.ADDITIONAL, "Panitia HUT kota"))
    rhk = skp.rhk[0]
    services.update_rhk(staff, rhk, RhkInput(RhkKind.ADDITIONAL, rhk.text))
    assert (rhk.kind, rhk.parent_rhk_id) == (RhkKind.ADDITIONAL, None)
    assert rhk.position > extra.position
    db.session.expire_all()
    assert [item.text for item in skp.rhk] == ["Panitia HUT kota", "Verifikasi berkas"]


def test_a_returned_plan_is_editable_again(db, org):
    skp = complete_draft(db, org)
    staff = user(db, org.staff_a)
    services.submit_skp(staff, skp)
    services.return_skp(user(db, org.appraiser_a), skp, "Perjelas RHK", TODAY)
    rhk = skp.rhk[0]
    services.update_rhk(staff, rhk, RhkInput(RhkKind.MAIN, "Verifikasi berkas tepat waktu", rhk.parent_rhk_id))
    assert rhk.text == "Verifikasi berkas tepat waktu"


@pytest.mark.parametrize("status", [SkpStatus.SUBMITTED, SkpStatus.APPROVED])
@pytest.mark.parametrize("what", ["rhk", "iki", "move"])
def test_edits_of_a_submitted_or_approved_plan_are_refused(client, auth, db, org, status, what):
    skp = complete_draft(db, org)
    services.add_rhk(user(db, org.staff_a), skp, RhkInput(RhkKind.MAIN, "Arsip berkas",
                                                           queries.appraiser_skp(skp).rhk[0].id))
    rhk, iki = skp.rhk[1], iki_of(skp)
    skp.status = status
    db.session.commit()
    auth.login(org.staff_a.id_number)
    path, data = {"rhk": (f"/skp/rhk/{rhk.id}/ubah", rhk_data(rhk, text="Diubah")),
                  "iki": (f"/skp/iki/{iki.id}/ubah", iki_data(iki, text="Diubah")),
                  "move": (f"/skp/rhk/{rhk.id}/geser/naik", {})}[what]
    response = client.post(path, data=data, follow_redirects=True)
    assert f"SKP berstatus {status.label} tidak dapat diubah." in response.get_data(as_text=True)
    assert response.status_code == (200 if what == "move" else 422)
    db.session.expire_all()
    assert [(r.text, r.position) for r in skp.rhk] == [("Verifikasi berkas", 1), ("Arsip berkas", 2)]
    assert iki_of(skp).text == "Berkas terverifikasi"
    assert 'action="/skp/rhk/' not in response.get_data(as_text=True)


def test_an_edit_cannot_link_to_another_appraisers_rhk(client, auth, db, org):
    skp = complete_draft(db, org)
    foreign = plan(db, org.other_appraiser_a, text="RHK bidang lain")
    rhk = skp.rhk[0]
    parent_id = rhk.parent_rhk_id
    with pytest.raises(ValidationFailed) as refused:
        services.update_rhk(user(db, org.staff_a), rhk, RhkInput(RhkKind.MAIN, "Verifikasi", foreign.rhk[0].id))
    assert refused.value.field == "parent_rhk_id"
    auth.login(org.staff_a.id_number)
    response = client.post(f"/skp/rhk/{rhk.id}/ubah", data=rhk_data(rhk, parent_rhk_id=str(foreign.rhk[0].id)))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "bukan bagian dari SKP pejabat penilai Anda yang disetujui" in page
    assert '<details class="mt-2 rhk-edit" open>' in page  # the failed form stays open with its error
    db.session.expire_all()
    assert (rhk.text, rhk.parent_rhk_id) == ("Verifikasi berkas", parent_id)


def test_an_edit_without_a_parent_for_a_main_rhk_is_refused(client, auth, db, org):
    skp = complete_draft(db, org)
    rhk = skp.rhk[0]
    auth.login(org.staff_a.id_number)
    response = client.post(f"/skp/rhk/{rhk.id}/ubah", data=rhk_data(rhk, parent_rhk_id="0"))
    assert response.status_code == 422 and "Pilih RHK atasan yang diintervensi." in response.get_data(as_text=True)


def test_a_top_officials_rhk_keeps_no_parent(db, org):
    boss = plan(db, org.appraiser_a)
    head = user(db, org.head_a)
    skp = services.create_skp(head)
    rhk = services.add_rhk(head, skp, RhkInput(RhkKind.MAIN, "Meningkatnya kualitas layanan"))
    with pytest.raises(ValidationFailed) as refused:
        services.update_rhk(head, rhk, RhkInput(RhkKind.MAIN, "Meningkatnya layanan", boss.rhk[0].id))
    assert refused.value.field == "parent_rhk_id"
    services.update_rhk(head, rhk, RhkInput(RhkKind.MAIN, "Meningkatnya layanan"))
    assert (rhk.text, rhk.parent_rhk_id) == ("Meningkatnya layanan", None)


def test_a_failed_iki_edit_shows_its_error_in_its_own_form(client, auth, db, org):
    skp = complete_draft(db, org)
    iki = iki_of(skp)
    auth.login(org.staff_a.id_number)
    response = client.post(f"/skp/iki/{iki.id}/ubah", data=iki_data(iki, target_value="0"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Target harus berupa angka lebih dari 0." in page
    assert '<details class="w-100 iki-edit" open>' in page
    db.session.expire_all()
    assert iki.target_value == Decimal(120)


def test_rhk_move_up_and_down_within_their_kind(client, auth, db, org):
    skp = complete_draft(db, org)
    staff = user(db, org.staff_a)
    parent_id = skp.rhk[0].parent_rhk_id
    second = services.add_rhk(staff, skp, RhkInput(RhkKind.MAIN, "Arsip berkas", parent_id))
    services.add_rhk(staff, skp, RhkInput(RhkKind.ADDITIONAL, "Panitia HUT kota"))
    auth.login(org.staff_a.id_number)
    response = client.post(f"/skp/rhk/{second.id}/geser/naik", follow_redirects=True)
    assert "Urutan RHK diubah." in response.get_data(as_text=True)
    db.session.expire_all()
    assert [rhk.text for rhk in skp.rhk] == ["Arsip berkas", "Verifikasi berkas", "Panitia HUT kota"]
    client.post(f"/skp/rhk/{second.id}/geser/naik")  # already first of the utama: stays
    client.post(f"/skp/rhk/{skp.rhk[2].id}/geser/turun")  # the only tambahan: stays
    db.session.expire_all()
    assert [(rhk.text, rhk.position) for rhk in skp.rhk] == [("Arsip berkas", 1), ("Verifikasi berkas", 2),
                                                           ("Panitia HUT kota", 1)]
    client.post(f"/skp/rhk/{second.id}/geser/turun")
    db.session.expire_all()
    assert [rhk.text for rhk in skp.rhk] == ["Verifikasi berkas", "Arsip berkas", "Panitia HUT kota"]
    assert client.post(f"/skp/rhk/{second.id}/geser/samping").status_code == 404


# ---------------------------------------------------------------------------------------------- workflow


def test_submit_needs_a_main_rhk_with_indicators(db, org):
    plan(db, org.appraiser_a)
    staff = user(db, org.staff_a)
    skp = services.create_skp(staff)
    with pytest.raises(ValidationFailed, match="RHK utama"):
        services.submit_skp(staff, skp)
    services.add_rhk(staff, skp, RhkInput(RhkKind.MAIN, "Verifikasi", queries.appraiser_skp(skp).rhk[0].id))
    with pytest.raises(ValidationFailed, match="belum memiliki indikator"):
        services.submit_skp(staff, skp)


def test_submit_approve_locks_and_notifies(db, org):
    skp = complete_draft(db, org)
    staff, appraiser = user(db, org.staff_a), user(db, org.appraiser_a)
    services.submit_skp(staff, skp)
    assert skp.status is SkpStatus.SUBMITTED
    assert [n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == appraiser.id))] \
        == ["submitted"]
    services.approve_skp(appraiser, skp, TODAY, {BehaviourValue.SERVICE: "Ramah dan cepat"})
    assert (skp.status, skp.approved_by, skp.approved_for_id) == (SkpStatus.APPROVED, appraiser.id, None)
    assert skp.behaviours[0].expectation == "Ramah dan cepat"
    assert [n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == staff.id))] \
        == ["approved"]
    with pytest.raises(NotAllowed):
        services.add_rhk(staff, skp, RhkInput(RhkKind.ADDITIONAL, "Tambahan"))
    with pytest.raises(NotAllowed):
        services.delete_iki(staff, iki_of(skp))
    assert actions(db, skp.id) == ["create", "submit", "approve"]


def test_return_needs_a_reason_then_resubmit(db, org):
    skp = complete_draft(db, org)
    staff, appraiser = user(db, org.staff_a), user(db, org.appraiser_a)
    services.submit_skp(staff, skp)
    with pytest.raises(ValidationFailed):
        services.return_skp(appraiser, skp, "  ", TODAY)
    services.return_skp(appraiser, skp, "Target terlalu rendah", TODAY)
    assert (skp.status, skp.return_reason) == (SkpStatus.RETURNED, "Target terlalu rendah")
    services.update_iki(staff, iki_of(skp), IkiInput("Berkas terverifikasi", Decimal(200), "berkas"))
    services.submit_skp(staff, skp)
    assert skp.status is SkpStatus.SUBMITTED and skp.return_reason is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "return"))
    assert (entry.reason, entry.from_state, entry.to_state) == ("Target terlalu rendah", "submitted", "returned")
    assert actions(db, skp.id) == ["create", "submit", "return", "submit"]


def test_a_decided_plan_cannot_be_decided_again(db, org):
    skp = complete_draft(db, org)
    services.submit_skp(user(db, org.staff_a), skp)
    services.approve_skp(user(db, org.appraiser_a), skp, TODAY)
    with pytest.raises(Conflict):
        services.return_skp(user(db, org.appraiser_a), skp, "Terlambat", TODAY)


@pytest.mark.parametrize("who", ["owner", "colleague", "other_appraiser", "head", "agency_admin", "acting_expired"])
def test_only_the_recorded_appraiser_or_an_active_plh_decides(db, org, who):
    skp = complete_draft(db, org)
    services.submit_skp(user(db, org.staff_a), skp)
    db.session.add(ActingAssignment(acting_id=org.staff_a2.id, absent_id=org.appraiser_a.id,
                                    valid_from=TODAY - timedelta(days=20), valid_to=TODAY - timedelta(days=1),
                                    decree_number="800/9/2026"))
    db.session.commit()
    actor = {"owner": user(db, org.staff_a), "colleague": user(db, org.staff_a2), "head": user(db, org.head_a),
             "other_appraiser": user(db, org.other_appraiser_a), "agency_admin": org.agency_admin_a,
             "acting_expired": user(db, org.staff_a2)}[who]
    with pytest.raises(NotAllowed):
        services.approve_skp(actor, skp, TODAY)
    assert skp.status is SkpStatus.SUBMITTED


def test_an_active_plh_approves_for_the_appraiser(client, auth, db, org):
    skp = complete_draft(db, org)
    services.submit_skp(user(db, org.staff_a), skp)
    db.session.add(ActingAssignment(acting_id=org.other_appraiser_a.id, absent_id=org.appraiser_a.id,
                                    valid_from=TODAY, valid_to=TODAY + timedelta(days=5), decree_number="800/2"))
    db.session.commit()
    services.approve_skp(user(db, org.other_appraiser_a), skp, TODAY)
    assert skp.approved_for_id == org.appraiser_a.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "approve"))
    assert (entry.acting_for_id, entry.actor_id) == (org.appraiser_a.id, user(db, org.other_appraiser_a).id)
    official = f"Penilai Lain A, Plh. {org.appraiser_a.assignments[0].position.name}"
    notice = db.session.scalar(select(Notification).where(Notification.user_id == user(db, org.staff_a).id,
                                                          Notification.kind == "approved"))
    assert notify.render(notice) == f"1 kegiatan Anda disetujui oleh {official}."
    auth.login(org.staff_a.id_number)
    assert f"oleh {official}</div>" in client.get(f"/skp/{skp.id}").get_data(as_text=True)


def test_plans_waiting_for_an_appraiser_or_their_active_plh_as_a_list_of_appraisers(app, db, org, today):
    """The plans waiting for the user: the appraiser's, and those of whom the user stands in for today (not an
    acting assignment that has ended). The appraisers are a list read first, never `IN (acting subquery)` beside
    another condition: MariaDB runs that subquery once for every plan."""
    from kinerja.skp.rights import decidable

    skp = complete_draft(db, org)
    services.submit_skp(user(db, org.staff_a), skp)
    db.session.add_all([
        ActingAssignment(acting_id=org.other_appraiser_a.id, absent_id=org.appraiser_a.id, valid_from=TODAY,
                         valid_to=TODAY + timedelta(days=5), decree_number="800/3"),
        ActingAssignment(acting_id=org.staff_a2.id, absent_id=org.appraiser_a.id,
                         valid_from=TODAY - timedelta(days=20), valid_to=TODAY - timedelta(days=1),
                         decree_number="800/4")])
    db.session.commit()
    with app.test_request_context():
        for who, listed in ((org.appraiser_a, [skp.id]), (org.other_appraiser_a, [skp.id]), (org.staff_a2, []),
                            (org.head_a, []), (org.staff_a, [])):
            assert [plan.id for plan in queries.waiting_for(user(db, who), TODAY)] == listed, who.name
            sql = str(decidable(user(db, who), TODAY).compile(db.engine)).lower()
            assert "acting_assignment" not in sql


def test_revise_makes_a_new_draft_version_and_keeps_the_old_readable(client, auth, db, org):
    skp = complete_draft(db, org)
    staff = user(db, org.staff_a)
    services.submit_skp(staff, skp)
    services.approve_skp(user(db, org.appraiser_a), skp, TODAY)
    old_iki = iki_of(skp).id
    revision = services.revise_skp(staff, skp)
    assert (revision.version, revision.previous_version_id, revision.status) == (2, skp.id, SkpStatus.DRAFT)
    assert [rhk.parent_rhk_id for rhk in revision.rhk] == [rhk.parent_rhk_id for rhk in skp.rhk]
    assert skp.status is SkpStatus.APPROVED
    with pytest.raises(Conflict):
        services.revise_skp(staff, skp)
    assert [c.id for c in queries.iki_choices(org.staff_a.id, TUE)] == [old_iki]  # in force until approved
    services.submit_skp(staff, revision)
    services.approve_skp(user(db, org.appraiser_a), revision, TODAY)
    assert [c.id for c in queries.iki_choices(org.staff_a.id, TUE)] == [iki_of(revision).id]
    assert actions(db, revision.id) == ["revise", "submit", "approve"]
    auth.login(org.staff_a.id_number)
    page = client.get(f"/skp/{skp.id}").get_data(as_text=True)
    assert "Verifikasi berkas" in page and f'href="/skp/{revision.id}"' in page


# ------------------------------------------------------------------------------------------- permissions


@pytest.mark.parametrize(("who", "path", "expected"), [
    ("owner", "/skp/{id}", 200),
    ("colleague", "/skp/{id}", 404),
    ("appraiser", "/skp/{id}", 404),
    ("owner", "/skp/periksa/{id}", 404),
    ("appraiser", "/skp/periksa/{id}", 200),
    ("other_appraiser", "/skp/periksa/{id}", 404),
    ("colleague", "/skp/periksa/{id}", 404),
])
def test_pages_are_scoped(client, auth, db, org, who, path, expected):
    skp = complete_draft(db, org)
    services.submit_skp(user(db, org.staff_a), skp)
    login = {"owner": org.staff_a, "colleague": org.staff_a2, "appraiser": org.appraiser_a,
             "other_appraiser": org.other_appraiser_a}[who]
    auth.login(login.id_number)
    assert client.get(path.format(id=skp.id)).status_code == expected


@pytest.mark.parametrize("path", ["/skp/{id}/ajukan", "/skp/{id}/revisi", "/skp/rhk/{rhk}/hapus",
                                  "/skp/iki/{iki}/hapus", "/skp/periksa/{id}/setujui", "/skp/rhk/{rhk}/ubah",
                                  "/skp/iki/{iki}/ubah", "/skp/rhk/{rhk}/geser/naik", "/skp/rhk/{rhk}/iki"])
def test_another_persons_plan_is_404_for_changes(client, auth, db, org, path):
    skp = complete_draft(db, org)
    auth.login(org.staff_a2.id_number)
    response = client.post(path.format(id=skp.id, rhk=skp.rhk[0].id, iki=iki_of(skp).id))
    assert response.status_code == 404 and skp.status is SkpStatus.DRAFT and skp.rhk


def test_appraiser_approves_through_the_page(client, auth, db, org):
    skp = complete_draft(db, org)
    services.submit_skp(user(db, org.staff_a), skp)
    auth.login(org.appraiser_a.id_number)
    assert "Staf A" in client.get("/skp/periksa").get_data(as_text=True)
    response = client.post(f"/skp/periksa/{skp.id}/setujui", data={"expectation_kolaboratif": "Aktif berbagi"})
    assert response.status_code == 302
    db.session.expire_all()
    assert skp.status is SkpStatus.APPROVED and skp.behaviours[-1].expectation == "Aktif berbagi"


# ------------------------------------------------------------------------------------ activities and IKI


def test_iki_choices_come_only_from_the_approved_plan_on_that_date(client, auth, db, org):
    approved = plan(db, org.staff_a, start=date(2026, 7, 1), end=date(2026, 12, 31), text="Arsip digital")
    draft = plan(db, org.staff_a, status=SkpStatus.DRAFT, start=date(2026, 1, 1), end=date(2026, 6, 30),
                 text="Rancangan")
    other = plan(db, org.staff_a2, text="Milik rekan")
    assert [c.id for c in queries.iki_choices(org.staff_a.id, TUE)] == [iki_of(approved).id]
    assert queries.iki_choices(org.staff_a.id, date(2026, 6, 30)) == []
    auth.login(org.staff_a.id_number)
    page = client.get(f"/kegiatan/{TUE.isoformat()}").get_data(as_text=True)
    assert f'<option value="{iki_of(approved).id}">' in page and "Arsip digital" in page
    assert f'value="{iki_of(draft).id}"' not in page and f'value="{iki_of(other).id}"' not in page
    assert 'name="indicator_id"' not in client.get("/kegiatan/2026-06-30").get_data(as_text=True)


def test_activity_saved_with_its_iki_through_the_form(client, auth, db, org):
    iki_id = iki_of(plan(db, org.staff_a)).id
    auth.login(org.staff_a.id_number)
    response = client.post(f"/kegiatan/{TUE.isoformat()}", data=activity_form(indicator_id=str(iki_id)))
    assert response.status_code == 302
    assert db.session.scalar(select(Activity.indicator_id)) == iki_id


@pytest.mark.parametrize("whose", ["colleague", "own_draft", "own_other_year"])
def test_an_activity_with_a_foreign_iki_is_refused(db, org, whose):
    target = {"colleague": lambda: plan(db, org.staff_a2),
              "own_draft": lambda: plan(db, org.staff_a, status=SkpStatus.SUBMITTED),
              "own_other_year": lambda: plan(db, org.staff_a, year=2025)}[whose]()
    with pytest.raises(ValidationFailed) as refused:
        activity_services.create_activity(user(db, org.staff_a), activity_input(TUE, indicator_id=iki_of(target).id))
    assert refused.value.field == "indicator_id"


def test_realisation_sums_approved_output_in_the_iki_unit_and_lists_other_units(client, auth, db, org):
    skp = plan(db, org.staff_a, unit="dokumen")
    iki_id = iki_of(skp).id
    for day, quantity, unit, status in [
        (TUE, "2", "Dokumen", ActivityStatus.APPROVED),
        (TUE - timedelta(days=1), "3", " dokumen", ActivityStatus.APPROVED),
        (TUE - timedelta(days=2), "1", "berkas", ActivityStatus.APPROVED),
        (TUE - timedelta(days=3), "9", "dokumen", ActivityStatus.SUBMITTED),
        (date(2026, 10, 30), "7", "dokumen", ActivityStatus.APPROVED),
    ]:
        ActivityFactory(employee=org.staff_a, activity_date=day, quantity=Decimal(quantity), unit=unit,
                        status=status, indicator_id=iki_id)
    ActivityFactory(employee=org.staff_a, activity_date=TUE, quantity=Decimal(4), status=ActivityStatus.APPROVED)
    db.session.commit()
    found = queries.realisation(org.staff_a.id, 2026, 11)[iki_id]
    assert found.quantity == Decimal("5.00")
    assert [(o.unit, o.quantity) for o in found.other_units] == [("berkas", Decimal("1.00"))]
    assert queries.realisation(org.staff_a.id, 2026, 10)[iki_id].quantity == Decimal("7.00")
    auth.login(org.staff_a.id_number)
    page = client.get(f"/skp/{skp.id}?bulan=2026-11").get_data(as_text=True)
    assert "5 dokumen" in page and "1 berkas" in page


# ------------------------------------------------------------------------------------- agency page links


@pytest.mark.parametrize(("who", "distribution", "roster"), [
    ("agency_admin", True, True),
    ("bkd_admin", True, True),
    ("head", True, False),  # the Kepala OPD oversees the agency but does not keep its rosters
])
def test_agency_page_links_to_the_distribution_and_the_roster(client, auth, db, org, who, distribution, roster):
    login = {"agency_admin": "admin.a", "bkd_admin": "admin.bkd", "head": org.head_a.id_number}[who]
    auth.login(login)
    agency_id = org.agency_a.id
    page = client.get(f"/opd/{agency_id}").get_data(as_text=True)
    assert (f'href="/skp/distribusi/{agency_id}"' in page) is distribution
    assert (f'href="/opd/{agency_id}/jadwal"' in page) is roster
    assert client.get(f"/skp/distribusi/{agency_id}").status_code == 200
    assert client.get(f"/opd/{agency_id}/jadwal").status_code == (200 if roster else 404)


@pytest.mark.parametrize("who", ["staff", "appraiser"])
def test_plain_staff_get_neither_the_agency_page_nor_its_links(client, auth, db, org, who):
    auth.login({"staff": org.staff_a, "appraiser": org.appraiser_a}[who].id_number)
    agency_id = org.agency_a.id
    for path in (f"/opd/{agency_id}", f"/skp/distribusi/{agency_id}", f"/opd/{agency_id}/jadwal"):
        assert client.get(path).status_code == 404
    assert "/skp/distribusi/" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("value", ["foreign", "garbage"])
def test_a_foreign_iki_on_the_day_page_is_refused_in_the_readers_language(client, auth, db, org, value):
    plan(db, org.staff_a)
    other = iki_of(plan(db, org.staff_a2)).id
    auth.login(org.staff_a.id_number)
    chosen = str(other) if value == "foreign" else "abc"
    page = client.post(f"/kegiatan/{TUE.isoformat()}", data=activity_form(indicator_id=chosen)).get_data(as_text=True)
    assert "bukan bagian dari SKP Anda yang disetujui" in page
    assert "Not a valid choice" not in page and "could not coerce" not in page
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0
