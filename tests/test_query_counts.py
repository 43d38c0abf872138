"""Home and agency pages run a fixed number of queries however many people they list."""

import pytest

from kinerja.models import Employee
from tests.factories import AgencyFactory, UnitFactory, staff_member
from tests.querycount import count_queries


def queries_for(client, db, url: str) -> int:
    db.session.remove()  # requests share the test's session: start each from an empty identity map
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def grow(db, appraiser_id: int, size: int) -> None:
    """Add `size` subordinates to the appraiser and `size` agencies with staff."""
    appraiser = db.session.get(Employee, appraiser_id)
    unit = appraiser.assignments[0].unit
    for _ in range(size):
        staff_member(unit, appraiser)
        other = UnitFactory(agency=AgencyFactory())
        staff_member(other, None)
    db.session.commit()


@pytest.mark.parametrize(
    ("login", "url"),
    [
        ("appraiser", "/"),
        ("admin.a", "/"),
        ("admin.bkd", "/"),
        ("admin.bkd", "/opd/{agency_a}"),
        ("admin.a", "/profil"),
    ],
)
def test_page_queries_do_not_grow_with_rows(client, auth, org, db, login, url):
    identifier = org.appraiser_a.id_number if login == "appraiser" else login
    url = url.format(agency_a=org.agency_a.id)
    appraiser_id = org.appraiser_a.id
    auth.login(identifier)
    before = queries_for(client, db, url)
    grow(db, appraiser_id, 12)
    after = queries_for(client, db, url)
    assert after == before, f"{url} ran {before} queries, then {after} with 24 more rows"
