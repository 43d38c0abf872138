"""The appraiser's fast path (issue 21 §4): namesakes told apart by their NIP, the per-employee page showing what
waits first with tabs for the rest, the inbox's select-all, a bulk approval that says how many items it approves,
and the "same description on many days" flag counted within one calendar month.

Today is Wednesday 18 November 2026 (the `today` fixture of tests/test_review.py) unless a test says otherwise.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from kinerja.models import ActingAssignment, Assignment, Position, Unit
from tests.factories import PositionFactory, freeze_now, staff_member
from tests.querycount import count_queries
from tests.test_api_activities import headers
from tests.test_review import APPROVED, DRAFT, RETURNED, SUBMITTED, TODAY, item, page, sign_in, statuses

INBOX, PREVIEW, BULK = "/pemeriksaan/", "/pemeriksaan/pratinjau", "/pemeriksaan/setujui-massal"


@pytest.fixture()
def today(monkeypatch):
    freeze_now(monkeypatch, TODAY)
    return TODAY


def text(markup: str) -> str:
    """What a reader sees: tags dropped, entities decoded, blanks collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def list_items(markup: str) -> list[str]:
    return re.findall(r"<li\b.*?</li>", markup, re.S)


def listed_ids(markup: str) -> list[int]:
    """The activities the per-employee page shows, in page order."""
    return [int(i) for i in re.findall(r'id="kegiatan-(\d+)"', markup)]


def approve_label(markup: str) -> str:
    return text(re.search(r'<span class="js-approve-label">(.*?)</span>', markup, re.S).group(1))


# ------------------------------------------------------------------------------------------------ namesakes


def namesakes(org, db):
    """Two "Anisa Purnama, S.Kom." with the same position and unit under appraiser A, each with waiting items."""
    unit = org.staff_a.assignments[0].unit
    twins = [staff_member(unit, org.appraiser_a, name="Anisa Purnama", back_title="S.Kom.") for _ in range(2)]
    position = PositionFactory(name="Pranata Komputer Ahli Pertama")
    for twin in twins:
        db.session.scalar(select(Assignment).where(Assignment.employee_id == twin.id)).position = position
    db.session.commit()
    return twins


def test_namesakes_are_told_apart_by_their_nip_wherever_the_appraiser_sees_them(app, db, org, today):
    first, second = namesakes(org, db)
    assert first.id_number != second.id_number
    positions = db.session.scalars(select(Position.name).join(Assignment, Assignment.position_id == Position.id)
                                   .where(Assignment.employee_id.in_([first.id, second.id]))).all()
    assert positions == ["Pranata Komputer Ahli Pertama"] * 2
    waiting = {first.id: [item(first, date(2026, 11, 16)), item(first, date(2026, 11, 17))],
               second.id: [item(second, date(2026, 11, 17), "10:00", "11:00")]}
    client = sign_in(app, org.appraiser_a.id_number)

    # the inbox and the home page: each person's row carries their own NIP, never the other's
    for path, link in ((INBOX, "/pemeriksaan/pegawai/{id}"), ("/", "/pegawai/{id}")):
        rows = list_items(page(client.get(path)))
        for twin, other in ((first, second), (second, first)):
            row = [r for r in rows if f'href="{link.format(id=twin.id)}"' in r]
            assert len(row) == 1, path
            seen = text(row[0])
            assert "Anisa Purnama, S.Kom." in seen and f"NIP {twin.id_number}" in seen, path
            assert other.id_number not in seen, path

    # the bulk preview names each item's owner with their NIP: two items of the first, one of the second
    preview = text(page(client.post(PREVIEW, data={"employee_ids": [first.id, second.id]})))
    assert preview.count(f"Anisa Purnama, S.Kom. NIP {first.id_number}") == 2
    assert preview.count(f"Anisa Purnama, S.Kom. NIP {second.id_number}") == 1

    # the per-employee page's heading and an item's page
    for twin in (first, second):
        month = page(client.get(f"/pemeriksaan/pegawai/{twin.id}/2026-11"))
        heading = text(re.search(r"<h1.*?</h1>", month, re.S).group(0))
        assert heading == f"Anisa Purnama, S.Kom. NIP {twin.id_number}"
        assert sorted(listed_ids(month)) == sorted(waiting[twin.id])
        thread = page(client.get(f"/pemeriksaan/kegiatan/{waiting[twin.id][0]}"))
        assert f"NIP {twin.id_number}" in text(re.search(r"<h1.*?</h1>", thread, re.S).group(0))


# ------------------------------------------------------------------------------------ the per-employee page


def test_employee_page_shows_what_waits_newest_first_with_tabs_for_the_rest(app, db, org, today, monkeypatch):
    ids = {
        "wait_10": item(org.staff_a, date(2026, 11, 10)),
        "wait_16_late": item(org.staff_a, date(2026, 11, 16), "13:00", "14:00"),
        "wait_16_early": item(org.staff_a, date(2026, 11, 16), "08:00", "09:00"),
        "wait_17": item(org.staff_a, date(2026, 11, 17)),
        "approved_12": item(org.staff_a, date(2026, 11, 12), status=APPROVED),
        "approved_17": item(org.staff_a, date(2026, 11, 17), "14:00", "15:30", status=APPROVED),
        "returned_13": item(org.staff_a, date(2026, 11, 13), status=RETURNED, return_reason="Lengkapi"),
        "draft_17": item(org.staff_a, date(2026, 11, 17), "10:00", "11:00", status=DRAFT),
    }
    client = sign_in(app, org.appraiser_a.id_number)
    base = f"/pemeriksaan/pegawai/{org.staff_a.id}/2026-11"

    default = page(client.get(base))
    # newest day first, each day in time order; decided items and drafts are not among what waits
    assert listed_ids(default) == [ids["wait_17"], ids["wait_16_early"], ids["wait_16_late"], ids["wait_10"]]
    tabs = {label: int(count) for label, count in re.findall(
        r"(Menunggu|Dikembalikan|Disetujui|Semua) (\d+)", text(re.search(r'<ul class="nav nav-pills.*?</ul>',
                                                                           default, re.S).group(0)))}
    assert tabs == {"Menunggu": 4, "Dikembalikan": 1, "Disetujui": 2, "Semua": 7}
    assert 'aria-current="page" href="' + base + '?tampil=menunggu"' in default
    assert "Setujui sebulan (4 kegiatan)" in text(default)
    # a day's minutes are the whole day's (60 waiting + 90 approved; the draft is the owner's), not the tab's
    assert "Selasa, 17 November 2026 150 menit" in text(default)

    expected = {
        "semua": [ids["wait_17"], ids["approved_17"], ids["wait_16_early"], ids["wait_16_late"], ids["returned_13"],
                  ids["approved_12"], ids["wait_10"]],
        "disetujui": [ids["approved_17"], ids["approved_12"]],
        "dikembalikan": [ids["returned_13"]],
        "menunggu": [ids["wait_17"], ids["wait_16_early"], ids["wait_16_late"], ids["wait_10"]],
        "tidak-ada": [ids["wait_17"], ids["wait_16_early"], ids["wait_16_late"], ids["wait_10"]],  # unknown: default
    }
    for tab, shown in expected.items():
        assert listed_ids(page(client.get(f"{base}?tampil={tab}"))) == shown, tab

    # paginated: two items a page, the counts and the month's approval still about the whole month
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    first_page = page(client.get(base))
    assert listed_ids(first_page) == [ids["wait_17"], ids["wait_16_early"]]
    assert "Setujui sebulan (4 kegiatan)" in text(first_page)
    assert f'href="{base}?page=2&amp;tampil=menunggu"' in first_page
    assert listed_ids(page(client.get(f"{base}?page=2&tampil=menunggu"))) == [ids["wait_16_late"], ids["wait_10"]]
    assert listed_ids(page(client.get(f"{base}?page=3&tampil=semua"))) == [ids["returned_13"], ids["approved_12"]]
    assert listed_ids(page(client.get(f"{base}?page=4&tampil=semua"))) == [ids["wait_10"]]
    assert client.get(f"{base}?page=abc&tampil=semua").status_code == 200


def test_approving_from_a_tab_comes_back_to_it(app, db, org, today):
    waiting = item(org.staff_a, date(2026, 11, 16))
    client = sign_in(app, org.appraiser_a.id_number)
    path = f"/pemeriksaan/pegawai/{org.staff_a.id}/2026-11?tampil=semua"
    markup = page(client.get(path))
    assert f'name="next" value="{path.replace("&", "&amp;")}"' in markup
    response = client.post(f"/pemeriksaan/kegiatan/{waiting}/setujui", data={"next": path})
    assert response.headers["Location"] == path
    assert listed_ids(page(client.get(path))) == [waiting]
    assert statuses(db, [waiting]) == {waiting: APPROVED}


def test_the_inbox_counts_waiting_days_in_local_days(app, db, org, today):
    """Submitted at 06.30 WIB on Monday 16 November (23.30 UTC on Sunday): on Wednesday it has waited two days,
    not the three its UTC date would say; a row's count sums its owner's days."""
    item(org.staff_a, date(2026, 11, 16), submitted_at=datetime(2026, 11, 15, 23, 30, tzinfo=UTC))
    item(org.staff_a, date(2026, 11, 17), start="09:00", end="10:00")
    item(org.staff_a, date(2026, 11, 17), start="10:00", end="11:00")
    item(org.staff_a2, date(2026, 11, 17))
    rows = {text(row) for row in list_items(page(sign_in(app, org.appraiser_a.id_number).get(INBOX)))}
    row_a = next(row for row in rows if f"NIP {org.staff_a.id_number}" in row)
    row_a2 = next(row for row in rows if f"NIP {org.staff_a2.id_number}" in row)
    assert "3 menunggu tertua 2 hari" in row_a
    assert "1 menunggu tertua 0 hari" in row_a2


def test_a_large_team_is_listed_a_page_at_a_time_with_those_waiting_first(app, db, org, today, monkeypatch):
    """The inbox pages its people (those with waiting items first); select-all still counts and covers everyone
    waiting, on any page; the home page's card shows the first page of names and links to the inbox."""
    unit = db.session.scalar(select(Unit).join(Assignment, Assignment.unit_id == Unit.id)
                             .where(Assignment.employee_id == org.staff_a.id))
    extra = [staff_member(unit, org.appraiser_a, name=f"Staf Tambahan {n}") for n in range(3)]
    waiting = [item(extra[2], date(2026, 11, 16), submitted_at=datetime(2026, 11, 16, 2, 0, tzinfo=UTC)),
               item(org.staff_a2, date(2026, 11, 17))]
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    client = sign_in(app, org.appraiser_a.id_number)

    first, second, third = (page(client.get(f"{INBOX}?page={n}")) for n in (1, 2, 3))
    team = [extra[2], org.staff_a2, org.staff_a, extra[0], extra[1]]  # waiting (oldest first), then by name
    assert [int(i) for i in re.findall(r'name="employee_ids" value="(\d+)"', first)] == [p.id for p in team[:2]]
    assert [int(i) for i in re.findall(r'name="employee_ids" value="(\d+)"', second)] == [p.id for p in team[2:4]]
    assert [int(i) for i in re.findall(r'name="employee_ids" value="(\d+)"', third)] == [team[4].id]
    for markup in (first, second, third):
        assert "Pilih semua pegawai dengan kegiatan menunggu (2)" in text(markup)
    assert 'href="/pemeriksaan/?page=2"' in first and 'href="/pemeriksaan/?page=3"' in first
    assert 'name="next" value="/pemeriksaan/?page=2"' in second  # a decision comes back to the same page
    assert client.get(f"{INBOX}?page=9").status_code == 200 and client.get(f"{INBOX}?page=x").status_code == 200

    # select-all from the last page still covers everyone waiting
    everything = page(client.post(PREVIEW, data={"all_waiting": "1"}))
    assert sorted(int(i) for i in re.findall(r'name="ids" value="(\d+)"', everything)) == sorted(waiting)

    home = page(client.get("/"))
    card = re.search(r'id="bawahan".*?</div>\s*</div>', home, re.S).group(0)
    assert len(re.findall(r'href="/pegawai/\d+"', card)) == 2
    assert "Lihat semua 5 pegawai di halaman pemeriksaan" in text(card) and f'href="{INBOX}"' in card


def inbox_rows(markup: str) -> list[tuple[int, str]]:
    """The inbox's people in page order: (employee id, what the row reads)."""
    return [(int(re.search(r'name="employee_ids" value="(\d+)"', row).group(1)), text(row))
            for row in list_items(markup) if 'name="employee_ids"' in row]


def test_the_inbox_lists_the_team_and_whoever_else_waits_for_the_user_a_page_at_a_time(app, db, org, today,
                                                                                       monkeypatch):
    """The head of agency A, with appraiser A gone (their staff's items come up to the head) and standing in for
    the head of agency B today (whose staff are the head's team while it lasts): everyone with items waiting for
    the head, most waiting first, then the oldest, then the team without waiting items by name; the team's rows
    show position and unit, a stand-in's team its badge; a page at a time with the same counts on every page,
    past the end too. The API lists everyone in the same order."""
    monkeypatch.setitem(app.config, "ORPHAN_REVIEW_ROUTE", "next_appraiser")
    org.appraiser_a.active = False
    db.session.add(ActingAssignment(acting_id=org.head_a.id, absent_id=org.head_b.id, valid_from=date(2026, 11, 16),
                                    valid_to=date(2026, 11, 20), decree_number="800/2/2026"))
    unit = db.session.scalar(select(Unit).join(Assignment, Assignment.unit_id == Unit.id)
                             .where(Assignment.employee_id == org.other_appraiser_a.id))
    idle = staff_member(unit, org.head_a, name="Zaenal Tanpa Kegiatan")
    db.session.commit()
    early = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)
    for n in range(3):
        item(org.staff_b, date(2026, 11, 17), start=f"{7 + n:02d}:00", end=f"{8 + n:02d}:00")
    item(org.staff_a, date(2026, 11, 16))
    item(org.staff_a, date(2026, 11, 17))
    item(org.staff_a2, date(2026, 11, 17))
    item(org.other_appraiser_a, date(2026, 11, 17), submitted_at=early)
    item(org.other_appraiser_a, date(2026, 11, 16), status=APPROVED)
    item(org.other_staff_a, date(2026, 11, 17))  # other appraiser A's: not the head's
    item(idle, date(2026, 11, 17), status=DRAFT)
    expected = [(org.staff_b, 3, True), (org.staff_a, 2, False), (org.other_appraiser_a, 1, True),
                (org.staff_a2, 1, False), (idle, 0, True)]

    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    client = sign_in(app, org.head_a.id_number)
    listed = []
    for number in (1, 2, 3):
        markup = page(client.get(f"{INBOX}?page={number}"))
        assert "Pilih semua pegawai dengan kegiatan menunggu (4)" in text(markup)
        assert 'href="/pemeriksaan/?page=3"' in markup
        listed += inbox_rows(markup)
    assert [employee_id for employee_id, _ in listed] == [person.id for person, _, _ in expected]
    for (_, row), (person, waiting, team) in zip(listed, expected, strict=True):
        assert (f"{waiting} menunggu" if waiting else "tidak ada") in row
        assert (" · " in row) is team, row  # position · unit: the team's own rows only
        assert ("sebagai Plh/Plt" in row) is (person is org.staff_b), row
    past_the_end = page(client.get(f"{INBOX}?page=9"))
    assert inbox_rows(past_the_end) == [] and "Pilih semua pegawai dengan kegiatan menunggu (4)" in text(past_the_end)

    api = app.test_client().get("/api/v1/review/inbox", headers=headers(org.head_a)).get_json()
    assert [(row["employee_id"], row["waiting"], row["via_acting"]) for row in api] == [
        (person.id, waiting, person is org.staff_b) for person, waiting, _ in expected]


def test_an_agency_admin_without_a_team_lists_only_what_waits_for_them(app, db, org, today, monkeypatch):
    monkeypatch.setitem(app.config, "ORPHAN_REVIEW_ROUTE", "agency_admin")
    org.appraiser_a.active = False
    db.session.commit()
    item(org.staff_a, date(2026, 11, 16), submitted_at=datetime(2026, 11, 16, 1, 0, tzinfo=UTC))
    item(org.head_a, date(2026, 11, 17))
    item(org.staff_a2, date(2026, 11, 17), submitted_at=datetime(2026, 11, 16, 3, 0, tzinfo=UTC))
    item(org.head_b, date(2026, 11, 17))  # agency B's: not this admin's
    rows = inbox_rows(page(sign_in(app, org.agency_admin_a.username).get(INBOX)))
    assert [employee_id for employee_id, _ in rows] == [org.staff_a.id, org.staff_a2.id, org.head_a.id]
    assert all("1 menunggu" in row and " · " not in row for _, row in rows)


# ------------------------------------------------------------------------------- select-all and the count


def test_inbox_select_all_is_a_real_field_that_works_without_scripts(app, db, org, today):
    mine = [item(org.staff_a, date(2026, 11, 16)), item(org.staff_a, date(2026, 11, 17)),
            item(org.staff_a2, date(2026, 11, 17))]
    not_mine = item(org.other_staff_a, date(2026, 11, 17))
    client = sign_in(app, org.appraiser_a.id_number)
    inbox = page(client.get(INBOX))
    box = re.search(r'<input[^>]*id="pilih-semua"[^>]*>', inbox).group(0)
    assert 'type="checkbox"' in box and 'name="all_waiting"' in box and 'value="1"' in box
    assert re.search(r'<label[^>]*for="pilih-semua"[^>]*>\s*Pilih semua pegawai dengan kegiatan menunggu \(2\)',
                     inbox)

    everything = page(client.post(PREVIEW, data={"all_waiting": "1"}))
    assert sorted(int(i) for i in re.findall(r'name="ids" value="(\d+)"', everything)) == sorted(mine)
    assert approve_label(everything) == "Setujui 3 kegiatan"
    # ticked together with one row, select-all still means everyone; without it, only the rows ticked
    both = page(client.post(PREVIEW, data={"all_waiting": "1", "employee_ids": [org.staff_a2.id]}))
    assert approve_label(both) == "Setujui 3 kegiatan"
    one = page(client.post(PREVIEW, data={"employee_ids": [org.staff_a2.id]}))
    assert approve_label(one) == "Setujui 1 kegiatan"

    client.post(BULK, data={"ids": re.findall(r'name="ids" value="(\d+)"', everything)})
    assert statuses(db, [*mine, not_mine]) == {**{i: APPROVED for i in mine}, not_mine: SUBMITTED}


def test_the_approve_button_states_what_will_actually_be_approved(app, db, org, today):
    clean = [item(org.staff_a, date(2026, 11, 16)), item(org.staff_a, date(2026, 11, 17)),
             item(org.staff_a2, date(2026, 11, 17))]
    weekend = item(org.staff_a, date(2026, 11, 14), off_day=True)  # flagged: left out unless ticked
    october = item(org.staff_a, date(2026, 10, 30))  # October closed for review on 10 November
    client = sign_in(app, org.appraiser_a.id_number)

    preview = page(client.post(PREVIEW, data={"all_waiting": "1"}))
    assert approve_label(preview) == "Setujui 3 kegiatan"
    button = re.search(r'<button[^>]*js-approve-count[^>]*>', preview, re.S).group(0)
    assert 'data-clean="3"' in button and 'data-template="Setujui __N__ kegiatan"' in button
    assert "3 kegiatan akan disetujui." in text(preview)
    assert "1 kegiatan berada di bulan yang sudah ditutup untuk pemeriksaan dan tidak ikut disetujui." in text(preview)
    ids = [int(i) for i in re.findall(r'name="ids" value="(\d+)"', preview)]
    assert sorted(ids) == sorted([*clean, weekend])  # the closed month's item is not offered
    assert re.findall(r'name="flagged_ok" value="(\d+)"', preview) == [str(weekend)]
    # the action sits in the sticky bar after the lists, so it stays in reach however long they are
    assert preview.index('class="action-bar') > preview.index('name="flagged_ok"')

    response = client.post(BULK, data={"ids": ids}, follow_redirects=True)
    assert "3 kegiatan disetujui." in page(response)
    assert statuses(db, [*clean, weekend, october]) == {**{i: APPROVED for i in clean}, weekend: SUBMITTED,
                                                         october: SUBMITTED}

    english = sign_in(app, org.appraiser_a.id_number)
    english.post("/bahasa", data={"language": "en", "next": "/"})
    assert approve_label(page(english.post(PREVIEW, data={"all_waiting": "1"}))) == "Approve 0 activities"


# -------------------------------------------------------------------------- repeated text across a month end


def test_same_description_is_counted_within_one_calendar_month(app, db, org, monkeypatch):
    """A batch from 25 November to 7 December: the routine meeting sits on four days in each month (never five in
    one month), the data entry on one November day and five December days (flagged in December only)."""
    freeze_now(monkeypatch, date(2026, 12, 8))  # November is still open for review until 10 December
    monkeypatch.setitem(app.config, "FLAG_REPEATED_DAYS", 5)
    meeting = [item(org.staff_a, date(2026, month, day), "08:00", "09:00", description="Rapat rutin bidang")
               for month, day in ((11, 25), (11, 26), (11, 27), (11, 30), (12, 1), (12, 2), (12, 3), (12, 4))]
    entry_november = item(org.staff_a, date(2026, 11, 30), "10:00", "11:00", description="Entri data kepegawaian")
    entry_december = [item(org.staff_a, date(2026, 12, day), "10:00", "11:00",
                           description="entri data  Kepegawaian") for day in (1, 2, 3, 4, 7)]
    everything = [*meeting, entry_november, *entry_december]
    client = sign_in(app, org.appraiser_a.id_number)

    def flagged(data) -> list[int]:
        markup = page(client.post(PREVIEW, data=data))
        return sorted(int(i) for i in re.findall(r'name="flagged_ok" value="(\d+)"', markup))

    assert flagged({"ids": everything}) == sorted(entry_december)
    assert flagged({"employee_id": org.staff_a.id, "month": "2026-11"}) == []
    assert flagged({"employee_id": org.staff_a.id, "month": "2026-12"}) == sorted(entry_december)
    december = page(client.get(f"/pemeriksaan/pegawai/{org.staff_a.id}/2026-12"))
    assert text(december).count("Uraian berulang") == 5

    client.post(BULK, data={"ids": everything})
    assert statuses(db, everything) == {i: SUBMITTED if i in entry_december else APPROVED for i in everything}


# ----------------------------------------------------------------------------------------------- query counts


def test_review_pages_do_not_query_per_person_or_item(app, db, org, today):
    """The inbox, the home page, a person's month and the preview send as many statements for a few items as for
    many (the NIP shown beside each name included)."""
    client = sign_in(app, org.appraiser_a.id_number)
    month = f"/pemeriksaan/pegawai/{org.staff_a.id}/2026-11?tampil=semua"

    def statements() -> list[int]:
        counts = []
        for request in (lambda: client.get(INBOX), lambda: client.get("/"), lambda: client.get(month),
                        lambda: client.post(PREVIEW, data={"all_waiting": "1"})):
            with count_queries() as sent:
                assert request().status_code == 200
            counts.append(len(sent))
        return counts

    item(org.staff_a, date(2026, 11, 16))
    few = statements()
    for twin in namesakes(org, db):
        item(twin, date(2026, 11, 16))
    for day in (2, 3, 4, 5, 6, 9, 10):
        item(org.staff_a, date(2026, 11, day), status=APPROVED if day % 2 else SUBMITTED)
        item(org.staff_a2, date(2026, 11, day))
    assert statements() == few
