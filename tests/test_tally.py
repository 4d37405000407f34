"""The resolution tally (mandates/tally.py): the database's triggers keep it equal to a fresh
count after every kind of write, and the list's facets read from it give what counting the
resolutions gives. On SQLite and PostgreSQL (their triggers differ: row against statement)."""

import datetime as dt
import itertools

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instruments.models import Instrument
from mandates import tally
from mandates.filters import ResolutionFilter
from mandates.management.commands.backup_records import record_models
from mandates.models import Body, Resolution, ResolutionInstrument, ResolutionTally
from partners.models import Partner

pytestmark = pytest.mark.django_db

PartnerLink = Resolution.partners.through


def assert_tally_fresh():
    fresh = tally.fresh_counts()
    assert fresh  # something is counted: the comparison below is not of two empty dicts
    assert tally.tallied_counts() == fresh


def cell(kind, resolution, linked_id=0):
    return tally.tallied_counts().get((kind, resolution.body_id, resolution.year, linked_id), 0)


@pytest.fixture
def synthetic():
    call_command("generate_synthetic", resolutions=60, seed=7, verbosity=0)
    return list(Resolution.objects.filter(is_synthetic=True).order_by("pk"))


@pytest.fixture
def spare_instrument():
    return Instrument.objects.create(
        slug="tally-test", short_name="Tally test", title="A test instrument", kind="convention"
    )


def test_the_reference_data_is_tallied():
    assert_tally_fresh()
    kinds = {key[0] for key in tally.tallied_counts()}
    assert kinds == {"r", "i", "p"}


def test_bulk_creation_and_clearing(synthetic):
    assert_tally_fresh()
    assert sum(n for (kind, *_), n in tally.tallied_counts().items() if kind == "r") == (
        Resolution.objects.count()
    )
    call_command("generate_synthetic", clear=True, verbosity=0)
    assert_tally_fresh()


def test_a_resolution_linked_twice_to_an_instrument_counts_once(synthetic, spare_instrument):
    resolution = synthetic[0]
    before = cell("i", resolution, spare_instrument.pk)
    assert before == 0
    first, second = ResolutionInstrument.objects.bulk_create(
        [
            ResolutionInstrument(resolution=resolution, instrument=spare_instrument, relation=r)
            for r in ("adopts", "implements")
        ]
    )  # both in one statement
    assert cell("i", resolution, spare_instrument.pk) == 1
    assert_tally_fresh()
    first.delete()
    assert cell("i", resolution, spare_instrument.pk) == 1
    second.delete()
    assert cell("i", resolution, spare_instrument.pk) == 0
    assert_tally_fresh()


def test_links_deleted_together_and_moved(synthetic, spare_instrument):
    a, b = synthetic[1], synthetic[2]
    ResolutionInstrument.objects.bulk_create(
        [
            ResolutionInstrument(resolution=a, instrument=spare_instrument, relation=r)
            for r in ("adopts", "endorses", "refers-to")
        ]
    )
    ResolutionInstrument.objects.filter(resolution=a, instrument=spare_instrument).exclude(
        relation="adopts"
    ).delete()  # two of three in one statement: still linked
    assert cell("i", a, spare_instrument.pk) == 1
    ResolutionInstrument.objects.filter(resolution=a, instrument=spare_instrument).update(
        resolution=b
    )  # the link moves to another resolution
    assert_tally_fresh()
    some = ResolutionInstrument.objects.filter(resolution__in=synthetic[3:9])
    other = Instrument.objects.exclude(pk=spare_instrument.pk).first()
    some.exclude(instrument=other).update(instrument=spare_instrument)
    assert_tally_fresh()
    ResolutionInstrument.objects.filter(resolution__in=synthetic).delete()
    assert_tally_fresh()


def test_partner_links_through_every_many_to_many_call(synthetic):
    resolution = synthetic[4]
    partners = list(Partner.objects.all()[:3])
    resolution.partners.set(partners[:2])
    assert_tally_fresh()
    resolution.partners.add(partners[2])
    resolution.partners.remove(partners[0])
    assert_tally_fresh()
    assert cell("p", resolution, partners[2].pk) >= 1
    resolution.partners.clear()
    assert_tally_fresh()
    partners[1].resolutions.add(*synthetic[:10])
    assert_tally_fresh()


def test_a_resolution_moving_to_another_year_or_body(synthetic):
    resolution = synthetic[5]
    ResolutionInstrument.objects.get_or_create(
        resolution=resolution, instrument=Instrument.objects.first(), relation="adopts"
    )
    resolution.partners.add(Partner.objects.first())
    year = 1951 if resolution.year != 1951 else 1952
    Resolution.objects.filter(pk=resolution.pk).update(year=year, adopted_on=dt.date(year, 1, 1))
    resolution.refresh_from_db()
    assert cell("r", resolution) == 1
    assert_tally_fresh()
    other = Body.objects.exclude(pk=resolution.body_id).first()
    resolution.body = other
    resolution.number = "tally-9999"
    resolution.symbol = "TALLY/9999"
    resolution.save()  # through the ORM, as the admin saves
    assert_tally_fresh()
    Resolution.objects.filter(pk__in=[r.pk for r in synthetic[10:30]]).update(
        year=1953, adopted_on=None
    )
    assert_tally_fresh()


def test_deletions_in_either_order(synthetic, spare_instrument):
    synthetic[6].delete()  # the ORM removes the links first, then the resolution
    assert_tally_fresh()
    gone = synthetic[7]
    assert ResolutionInstrument.objects.filter(resolution=gone).exists() or (gone.partners.exists())
    # The resolution first, its links after (the foreign keys are checked at commit; rolled
    # back here, before the other rows that point to it would be).
    sid = transaction.savepoint()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM mandates_resolution WHERE id = %s", [gone.pk])
        assert_tally_fresh()
        for table in ("mandates_resolutioninstrument", "mandates_resolution_partners"):
            cursor.execute(f"DELETE FROM {table} WHERE resolution_id = %s", [gone.pk])
        assert_tally_fresh()
    transaction.savepoint_rollback(sid)
    assert_tally_fresh()
    ResolutionInstrument.objects.create(
        resolution=synthetic[8], instrument=spare_instrument, relation="adopts"
    )
    spare_instrument.delete()  # its links go with it
    assert_tally_fresh()
    Partner.objects.get(pk=Partner.objects.first().pk).resolutions.add(synthetic[9])
    Resolution.objects.filter(pk__in=[r.pk for r in synthetic[20:40]]).delete()
    assert_tally_fresh()


def test_install_recounts_a_wrong_tally():
    ResolutionTally.objects.update(resolutions=99)
    ResolutionTally.objects.create(kind="r", body_id=0, year=1000, resolutions=5)
    assert tally.tallied_counts() != tally.fresh_counts()
    tally.install()
    assert_tally_fresh()


def test_install_leaves_current_triggers_and_puts_back_a_missing_one(synthetic):
    with CaptureQueriesContext(connection) as queries:
        tally.install()
    assert not any("TRIGGER" in q["sql"] for q in queries.captured_queries)
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:  # as SQLite does when a migration rebuilds a table
        if postgresql:
            cursor.execute("DROP TRIGGER tally_insert ON mandates_resolution_partners")
        else:
            cursor.execute("DROP TRIGGER tally_p_insert")
    partners = list(Partner.objects.all())
    synthetic[0].partners.add(*partners)
    assert tally.tallied_counts() != tally.fresh_counts()
    tally.install()
    assert_tally_fresh()
    synthetic[1].partners.add(*partners)  # counted by the trigger put back
    assert_tally_fresh()


def test_without_the_tally_table_the_triggers_go(synthetic):
    """Migrated back past the tally (its table gone): install() removes the triggers, so
    writes to resolutions and links work; migrated forward again, they come back."""

    def trigger_count():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'tally%%'")
            else:
                cursor.execute(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'"
                    " AND name LIKE 'tally%%'"
                )
            return cursor.fetchone()[0]

    assert trigger_count() == 9
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE mandates_resolutiontally RENAME TO tally_away")
    tally.install()
    assert trigger_count() == 0
    synthetic[0].partners.add(*Partner.objects.all())  # no trigger left to fail
    synthetic[1].delete()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE tally_away RENAME TO mandates_resolutiontally")
    tally.install()
    assert trigger_count() == 9
    assert_tally_fresh()


def test_the_tally_is_not_backed_up():
    assert ResolutionTally not in record_models()
    assert Resolution in record_models()


# --- random writes -------------------------------------------------------------------------------

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["link", "unlink", "relink", "partner", "unpartner", "move", "delete", "create"]
        ),
        st.integers(0, 59),
        st.integers(0, 59),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_random_writes_keep_the_tally(synthetic, operations):
    instruments = list(Instrument.objects.order_by("pk"))
    partners = list(Partner.objects.order_by("pk"))
    relations = ResolutionInstrument.Relation.values
    serial = itertools.count()
    sid = transaction.savepoint()
    try:
        for name, i, j in operations:
            resolution = synthetic[i]
            instrument = instruments[j % len(instruments)]
            links = ResolutionInstrument.objects.filter(resolution_id=resolution.pk)
            if name == "link":
                ResolutionInstrument.objects.bulk_create(
                    [
                        ResolutionInstrument(
                            resolution_id=resolution.pk,
                            instrument=instrument,
                            relation=relations[(j + k) % len(relations)],
                        )
                        for k in range(1 + j % 2)
                    ],
                    ignore_conflicts=True,
                )
            elif name == "unlink":
                links.filter(instrument=instrument).delete()
            elif name == "relink":  # the links to instruments the other one has none of
                there = ResolutionInstrument.objects.filter(resolution_id=synthetic[j].pk)
                links.exclude(instrument__in=there.values("instrument")).update(
                    resolution_id=synthetic[j].pk
                )
            elif name == "partner":
                PartnerLink.objects.bulk_create(
                    [
                        PartnerLink(resolution_id=synthetic[k].pk, partner=partners[j % 6])
                        for k in range(i, min(i + 3, 60))
                    ],
                    ignore_conflicts=True,
                )
            elif name == "unpartner":
                PartnerLink.objects.filter(resolution_id=resolution.pk).delete()
            elif name == "move":
                Resolution.objects.filter(pk__in=[r.pk for r in synthetic[i : i + 5]]).update(
                    year=1950 + j, adopted_on=None
                )
            elif name == "delete":
                Resolution.objects.filter(pk=resolution.pk).delete()
            elif name == "create":
                Resolution.objects.create(
                    body=Body.objects.order_by("pk")[j % 5],
                    number=f"random-{next(serial)}",
                    symbol=f"RANDOM/{next(serial)}",
                    title="Random",
                    year=1960 + i,
                )
            assert_tally_fresh()
    finally:
        transaction.savepoint_rollback(sid)


# --- the facets read from it ---------------------------------------------------------------------

FACETED = [
    "",
    "body=SC",
    "body=SC&body=GA",
    "year_from=2010",
    "year_to=2000",
    "body=COP&year_from=2004&year_to=2015",
    "year_from=2016&year_to=2016",
    "body=GA&instrument=untoc",
    "year_from=2000&partner=interpol",
    "instrument=untoc&partner=unesco",
    "q=looting&body=SC",
    "year_from=3000",
]


@pytest.mark.parametrize("query", FACETED)
def test_facets_from_the_tally_equal_the_counted_ones(query, synthetic, monkeypatch):
    def facets():
        filterset = ResolutionFilter(QueryDict(query), queryset=Resolution.objects.all())
        assert filterset.is_valid(), filterset.errors
        return filterset.facet_counts(), filterset.facet_total

    tallied = facets()
    monkeypatch.setattr(ResolutionFilter, "_TALLIED", frozenset())
    assert tallied == facets()


@pytest.mark.parametrize(
    "query, from_tally",
    [
        ("", 3),  # cells (bodies and years), instruments, partners
        ("body=SC&year_from=2015&year_to=2017", 4),
        ("body=GA&instrument=untoc", 1),  # only the instrument facet ignores the instrument
        ("q=looting", 0),
    ],
)
def test_which_facets_read_the_tally(query, from_tally, django_assert_num_queries):
    filterset = ResolutionFilter(QueryDict(query), queryset=Resolution.objects.all())
    assert filterset.is_valid()
    filterset.form.fields["body"].objects()  # the choice lists, read before counting
    filterset.form.fields["instrument"].objects()
    filterset.form.fields["partner"].objects()
    with django_assert_num_queries(1) as captured:
        filterset.facet_counts()
    sql = captured.captured_queries[0]["sql"]
    assert sql.count(ResolutionTally._meta.db_table) == from_tally
