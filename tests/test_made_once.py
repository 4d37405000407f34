"""What the pages make once per process and reuse (SQL text, URL patterns, the page's chrome), and
the fast paths built on it: each gives exactly what the plain way gives, and never a stale row."""

from urllib.parse import urlencode

import pytest
from django.db.models import F
from django.http import QueryDict
from django.template import engines
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from instruments.models import Instrument
from mandates.filters import ResolutionFilter
from mandates.models import Body, Resolution, reference_list
from mandates.routes import slug_url
from partners.models import Partner

pytestmark = pytest.mark.django_db

LIST = reverse("mandates:resolution-list")


# --- slug_url ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(
    "name, slugs",
    [
        ("mandates:resolution-detail", ("ga", "69-196")),
        ("mandates:resolution-detail", ("sc", "2347-2017")),
        ("mandates:body-detail", ("ccpcj",)),
        ("instruments:detail", ("untoc",)),
        ("partners:detail", ("interpol",)),
        ("mandates:expert-group-detail", ("x_1-Y",)),
    ],
)
def test_slug_url_is_reverse(language, name, slugs):
    with translation.override(language):
        assert slug_url(name, *slugs) == reverse(name, args=slugs)


def test_slug_url_leaves_what_is_not_a_slug_to_reverse():
    for bad in ("a b", "a/b", "", "é"):
        with pytest.raises(NoReverseMatch):
            slug_url("mandates:body-detail", bad)
    # A value that looks like the stand-in is an ordinary slug.
    assert slug_url("mandates:resolution-detail", "__slug1__", "x") == reverse(
        "mandates:resolution-detail", args=["__slug1__", "x"]
    )


def test_record_urls_follow_their_slugs():
    resolution = Resolution.objects.select_related("body").first()
    assert resolution.get_absolute_url() == reverse(
        "mandates:resolution-detail", args=[resolution.body.slug, resolution.slug]
    )
    with translation.override("fr"):
        assert resolution.get_absolute_url().startswith("/fr/resolutions/")


# --- {% fixed %} --------------------------------------------------------------------------------


def test_fixed_draws_once_per_language_and_key():
    template = engines["django"].from_string(
        "{% load i18n mandates_tags %}{% fixed key %}{% translate 'Resolutions' %} {{ key }} "
        "{{ other }}{% endfixed %}"
    )
    with translation.override("en"):
        assert template.render({"key": "a", "other": 1}) == "Resolutions a 1"
        # Kept: `other` is not part of the key, so its new value is not drawn.
        assert template.render({"key": "a", "other": 2}) == "Resolutions a 1"
        assert template.render({"key": "b", "other": 3}) == "Resolutions b 3"
    with translation.override("fr"):
        assert template.render({"key": "a", "other": 4}) == "Résolutions a 4"


def test_the_chrome_follows_the_language_and_the_section(client):
    english = client.get(LIST).content.decode()
    french = client.get("/fr" + LIST).content.decode()
    assert "Skip to main content" in english and "Skip to main content" not in french
    assert 'href="/fr/resolutions/" hreflang="fr"' in english
    assert 'href="/resolutions/" hreflang="en"' in french
    # The current section is marked in the navigation, page by page.
    assert '<a href="/resolutions/" aria-current="page">' in english
    partners = client.get("/partners/").content.decode()
    assert '<a href="/partners/" aria-current="page">' in partners
    assert '<a href="/resolutions/" aria-current="page">' not in partners
    # The language links keep the query string; the head names both languages and a default.
    page = client.get(LIST + "?body=SC&page=1").content.decode()
    assert 'href="/fr/resolutions/?body=SC&amp;page=1" hreflang="fr"' in page
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/resolutions/' in page


# --- reference_list -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "queryset",
    [
        lambda: Body.objects.only("code", "name"),
        lambda: Body.objects.all(),
        lambda: Instrument.objects.only("slug", "short_name", "adopted_on"),
        lambda: Partner.objects.only("slug", "acronym").order_by("-acronym"),
        lambda: Partner.objects.order_by(),
        lambda: Body.objects.filter(code__in=["GA", "SC"]),  # filtered: listed as it is
        lambda: Body.objects.values_list("code", flat=True),  # values: listed as they are
    ],
)
def test_reference_list_reads_what_the_orm_reads(queryset, django_assert_num_queries):
    with django_assert_num_queries(1):
        read = reference_list(queryset())
    expected = list(queryset())
    if not isinstance(expected[0], Body | Instrument | Partner):
        assert read == expected
        return
    assert [obj.pk for obj in read] == [obj.pk for obj in expected]
    for ours, theirs in zip(read, expected, strict=True):
        assert type(ours) is type(theirs)
        assert ours.get_deferred_fields() == theirs.get_deferred_fields()
        loaded = [f.attname for f in type(ours)._meta.concrete_fields]
        loaded = [name for name in loaded if name not in ours.get_deferred_fields()]
        assert {n: getattr(ours, n) for n in loaded} == {n: getattr(theirs, n) for n in loaded}


def test_reference_list_is_read_afresh():
    before = reference_list(Body.objects.only("code", "name"))
    Body.objects.filter(code="GA").update(name="General Assembly (renamed)")
    after = reference_list(Body.objects.only("code", "name"))
    assert [b.name for b in before if b.code == "GA"] == ["General Assembly"]
    assert [b.name for b in after if b.code == "GA"] == ["General Assembly (renamed)"]


# --- the list's rows ------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", list(ResolutionFilter.SORTS))
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"body": "SC"},
        {"body": ["GA", "SC"], "year_from": "2000"},
        {"year_from": "2015", "year_to": "2017"},
        {"instrument": "untoc"},
        {"partner": ["interpol", "unesco"], "body": "SC"},
        {"instrument": "untoc", "partner": "unesco", "year_to": "2020"},
    ],
)
def test_list_rows_are_the_filtered_queryset(client, params, sort):
    data = QueryDict(urlencode({**params, "sort": sort}, doseq=True))
    filterset = ResolutionFilter(data, queryset=Resolution.objects.all())
    assert filterset.is_valid(), filterset.errors
    ordering = tuple(ResolutionFilter.SORTS[sort][1])
    expected = list(filterset.qs.select_related("body"))
    rows = Resolution.list_rows(filterset.condition(), ordering)
    assert [r.pk for r in rows] == [r.pk for r in expected]
    for ours, theirs in zip(rows, expected, strict=True):
        for name in Resolution.LIST_FIELDS:
            assert getattr(ours, name) == getattr(theirs, name), name
        assert (ours.body.code, ours.body.name, ours.body.slug) == (
            theirs.body.code,
            theirs.body.name,
            theirs.body.slug,
        )
        assert ours.get_absolute_url() == theirs.get_absolute_url()
    # A page of them: LIMIT and OFFSET.
    page = Resolution.list_rows(filterset.condition(), ordering, limit=3, offset=2)
    assert [r.pk for r in page] == [r.pk for r in expected[2:5]]
    # And the list page shows the same first page.
    response = client.get(LIST, {**params, "sort": sort})
    assert [r.pk for r in response.context["object_list"]] == [r.pk for r in expected[:25]]


def test_list_rows_leave_unread_columns_deferred(django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = Resolution.list_rows(None, ("-year", F("adopted_on").desc(nulls_last=True)), 5)
    assert len(rows) == 5
    assert "search_document" in rows[0].get_deferred_fields()
    with django_assert_num_queries(0):
        [(r.title, r.body.code, r.is_confirmed) for r in rows]


def test_list_pages_read_the_database_again(client):
    first = client.get(LIST, {"body": "SC"}).context["object_list"][0]
    Resolution.objects.filter(pk=first.pk).update(title="A title changed in the database")
    again = client.get(LIST, {"body": "SC"}).context["object_list"][0]
    assert again.pk == first.pk and again.title == "A title changed in the database"


def test_a_page_past_the_end_is_a_404_and_a_bad_filter_a_400(client):
    assert client.get(LIST, {"body": "SC", "page": 999}).status_code == 404
    assert client.get(LIST, {"body": "XX"}).status_code == 400


# --- the filters' conditions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"body": "SC"},
        {"body": ["GA", "SC"], "year_from": "2000"},
        {"body": ["SC", "GA", "ECOSOC"], "year_to": "2015"},
        {"year_from": "1990", "year_to": "1990"},
        {"instrument": ["untoc", "unesco-1970"], "partner": "interpol"},
        {"partner": ["unesco", "icom"], "body": "CCPCJ", "year_from": "2010"},
        {"q": "looting", "body": "SC"},
    ],
)
def test_conditions_compiled_once_are_what_the_orm_compiles(params):
    """Each filter's condition, filled into the SQL compiled with stand-ins, is exactly what the
    ORM compiles for the values given, asked twice (the second time from what was kept)."""
    data = QueryDict(urlencode(params, doseq=True))
    for _ in range(2):
        filterset = ResolutionFilter(data, queryset=Resolution.objects.all())
        assert filterset.is_valid(), filterset.errors
        conditions = filterset._conditions()
        assert set(conditions) == {name for name in params}
        for name, value in filterset.form.cleaned_data.items():
            if name in conditions:
                assert conditions[name] == filterset._compile_now(name, value), name
    assert ResolutionFilter._condition_sql  # something was kept


def test_conditions_kept_for_one_set_of_values_serve_another():
    first = ResolutionFilter(QueryDict("body=GA&body=SC&year_from=2000"))
    second = ResolutionFilter(QueryDict("body=COP&body=ECOSOC&year_from=2012"))
    assert first.is_valid() and second.is_valid()
    a, b = first._conditions(), second._conditions()
    assert a["body"][0] == b["body"][0] and a["body"][1] != b["body"][1]
    cop, ecosoc = Body.objects.get(code="COP").pk, Body.objects.get(code="ECOSOC").pk
    assert sorted(b["body"][1]) == sorted([cop, ecosoc])
    assert b["year_from"][1] == [2012]
    rows = Resolution.list_rows(second.condition(), ("year",))
    assert rows and {r.body.code for r in rows} <= {"COP", "ECOSOC"}
    assert min(r.year for r in rows) >= 2012


def test_slug_url_maker_is_slug_url():
    from mandates.routes import slug_url_maker

    for language in ("en", "fr"):
        with translation.override(language):
            url = slug_url_maker("mandates:resolution-detail", 2)
            assert url("ga", "69-196") == slug_url("mandates:resolution-detail", "ga", "69-196")
            with pytest.raises(NoReverseMatch):
                url("ga", "not a slug")
