"""One rule, one place: the month's approved output per IKI (kinerja.core.output) is what the SKP page, the
monthly activities and the monthly report all show, for one employee or in bulk."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kinerja.activities import monthly
from kinerja.activities.monthly import MonthlyInput
from kinerja.core.output import approved_outputs, outputs_of, realise
from kinerja.models import ActivityStatus
from kinerja.reports import data as report_data
from kinerja.skp import queries as skp_queries
from tests.factories import freeze_now, iki_for
from tests.querycount import count_queries
from tests.test_api_activities import headers
from tests.test_monthly_activities import daily

MARCH = date(2026, 3, 1)


@pytest.fixture
def month_of_output(db, org, monkeypatch):
    """Approved, pending and other-unit output of two employees in March, some of it linked to an IKI."""
    freeze_now(monkeypatch, date(2026, 3, 20))
    staff, other = org.staff_a, org.staff_a2
    iki = iki_for(staff, unit="Dokumen")
    daily(db, staff, date(2026, 3, 2), 5, indicator_id=iki.id)
    daily(db, staff, date(2026, 3, 3), "2.5", unit=" DOKUMEN ", indicator_id=iki.id)  # the same unit
    daily(db, staff, date(2026, 3, 4), 3, unit="berkas", indicator_id=iki.id)  # another unit: apart
    daily(db, staff, date(2026, 3, 5), 40, indicator_id=iki.id, status=ActivityStatus.SUBMITTED)
    daily(db, staff, date(2026, 2, 27), 11, indicator_id=iki.id)  # another month
    daily(db, staff, date(2026, 3, 6), 9)  # not linked
    daily(db, other, date(2026, 3, 2), 17)
    return staff, other, iki, org.user(staff)


def test_the_skp_page_the_monthly_activity_and_the_report_show_the_same_figures(db, month_of_output):
    staff, _other, iki, user = month_of_output
    shown_on_skp = skp_queries.realisation(staff.id, 2026, 3)[iki.id]
    item = monthly.create_monthly_activity(
        user, MARCH, MonthlyInput(planned_action="Menyusun dokumen", unit="dokumen", indicator_id=iki.id))
    report = report_data.employee_months([staff.id], MARCH, date(2026, 3, 20))[staff.id]
    [line] = [line for line in report.indicators if line.indicator == iki.text]

    assert shown_on_skp.quantity == item.quantity == line.realised == Decimal("7.50")
    assert [(output.quantity, output.unit) for output in shown_on_skp.other_units] == list(line.other_units) \
        == [(Decimal("3.00"), "berkas")]


def test_the_bulk_form_is_one_query_and_agrees_with_the_single_one(db, month_of_output):
    staff, other, iki, _user = month_of_output
    ids = [staff.id, other.id, 999_999]
    with count_queries() as statements:
        both = approved_outputs(ids, MARCH)
    assert len(statements) == 1
    assert both[staff.id] == outputs_of(staff.id, MARCH) and both[other.id] == outputs_of(other.id, MARCH)
    assert both[999_999] == {}
    assert realise(both[other.id], iki.id, "dokumen").quantity == Decimal("0.00")
    assert realise(both[other.id], None, "dokumen").quantity == Decimal("17.00")
    assert approved_outputs([], MARCH) == {}



def test_the_monthly_page_the_skp_page_the_report_and_the_api_agree(client, auth, db, month_of_output):
    """Through the pages: a monthly item linked on the form (its unit typed in other letters) shows what the SKP
    page's realisation table, the report's IKI line and the API show."""
    staff, _other, iki, _user = month_of_output
    skp_id = iki.rhk.skp_id
    auth.login(staff.id_number)
    assert client.post("/kegiatan/bulanan/2026-03", data={
        "indicator_id": iki.id, "planned_action": "Menyusun dokumen", "unit": "DOKUMEN"}).status_code == 302
    monthly_page = client.get("/kegiatan/bulanan/2026-03").get_data(as_text=True)
    skp_page = client.get(f"/skp/{skp_id}?bulan=2026-03").get_data(as_text=True)
    report = report_data.employee_months([staff.id], MARCH, date(2026, 3, 20))[staff.id]
    [line] = [line for line in report.indicators if line.indicator == iki.text]
    [item] = client.get("/api/v1/monthly-activities?month=2026-03", headers=headers(staff)).get_json()

    assert 'Realisasi: <span class="fw-semibold">7,5 Dokumen</span>' in monthly_page
    assert '<td class="text-end text-nowrap fw-semibold realisation-value">7,5 Dokumen</td>' in skp_page
    assert line.realised == Decimal(str(item["quantity"])) == Decimal("7.50")
    assert (item["indicator_id"], item["unit"]) == (iki.id, "Dokumen")
