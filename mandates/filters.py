"""The resolution list's filters. Their names are the public URL contract (see README)."""

import django_filters
from django import forms
from django.db.models import Count

from instruments.models import Instrument
from mandates.models import Body, Resolution
from partners.models import Partner

MAX_QUERY_LENGTH = 200


class YearFilter(django_filters.NumberFilter):
    """A whole year; anything else ("abc", "1e9", "99999") is a form error, not a crash."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1000)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Repeatable filter on a slug-like key, OR within the filter; unknown values are errors."""

    def __init__(self, *args, noun, **kwargs):
        kwargs.setdefault("conjoined", False)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": f"There is no {noun} “%(value)s”.", "invalid_pk_value": ""},
        )
        super().__init__(*args, **kwargs)


class ResolutionFilter(django_filters.FilterSet):
    SORTS = {
        "newest": ("Newest first", Resolution._meta.ordering),
        "oldest": ("Oldest first", ["year", "adopted_on", "body__position", "number"]),
        "body": ("Body", ["body__position", "-year", "number"]),
        "symbol": ("Symbol", ["symbol", "body__position", "number"]),
    }

    q = django_filters.CharFilter(
        method="search",
        label="Keywords",
        max_length=MAX_QUERY_LENGTH,
        help_text="Symbol, number, title, summary or paragraph text.",
    )
    body = SlugMultipleChoiceFilter(
        field_name="body__code",
        to_field_name="code",
        queryset=Body.objects.all(),
        noun="body",
        label="Body",
    )
    year_from = YearFilter(field_name="year", lookup_expr="gte", label="From year")
    year_to = YearFilter(field_name="year", lookup_expr="lte", label="To year")
    instrument = SlugMultipleChoiceFilter(
        field_name="instruments__slug",
        to_field_name="slug",
        queryset=Instrument.objects.core_first(),
        noun="instrument",
        label="Instrument",
    )
    partner = SlugMultipleChoiceFilter(
        field_name="partners__slug",
        to_field_name="slug",
        queryset=Partner.objects.all(),
        noun="partner",
        label="Partner",
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        label="Sort by",
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        empty_label=None,
        null_label=None,
    )

    class Meta:
        model = Resolution
        fields = ["q", "body", "year_from", "year_to", "instrument", "partner", "sort"]

    FACETS = ("body", "year", "instrument", "partner")

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # Choice lists for the form: short labels, no extra queries beyond one each.
        self.filters["body"].field.label_from_instance = lambda b: b.code
        self.filters["instrument"].field.label_from_instance = lambda i: i.short_name
        self.filters["partner"].field.label_from_instance = lambda p: p.acronym

    def search(self, queryset, name, value):
        return queryset.search(value)

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.SORTS[value][1])

    def selected_filters(self):
        """[{label, query}]: each value in force, and the query string that removes it alone."""
        if not self.is_valid():
            return []
        data = self.form.cleaned_data
        chosen = []
        if data.get("q"):
            chosen.append(("q", data["q"], f"“{data['q']}”"))
        for name, label in (("body", "code"), ("instrument", "short_name"), ("partner", "acronym")):
            key = self.filters[name].field.to_field_name
            chosen += [
                (name, getattr(obj, key), getattr(obj, label)) for obj in data.get(name) or []
            ]
        if data.get("year_from") is not None:
            chosen.append(("year_from", str(data["year_from"]), f"From {data['year_from']}"))
        if data.get("year_to") is not None:
            chosen.append(("year_to", str(data["year_to"]), f"To {data['year_to']}"))
        selected = []
        for name, value, label in chosen:
            remaining = self.data.copy()
            remaining.setlist(name, [v for v in remaining.getlist(name) if v != value])
            remaining.pop("page", None)
            selected.append({"label": label, "query": remaining.urlencode()})
        return selected

    @property
    def sort_key(self):
        sort = self.form.cleaned_data.get("sort") if self.is_valid() else None
        if not sort and self.is_valid() and self.form.cleaned_data.get("q"):
            return "relevance"
        return sort or "newest"

    # --- facets: each computed with every other filter applied

    def _without(self, *names):
        data = self.data.copy()
        for name in names:
            data.pop(name, None)
        return type(self)(data, queryset=self.queryset).qs

    def facet_counts(self):
        """Counts per body, year, instrument and partner, one query each."""
        by_body = dict(
            Resolution.objects.filter(pk__in=self._without("body").values("pk"))
            .values_list("body__code")
            .annotate(n=Count("pk"))
        )
        by_year = dict(
            Resolution.objects.filter(pk__in=self._without("year_from", "year_to").values("pk"))
            .values_list("year")
            .annotate(n=Count("pk"))
        )
        by_instrument = dict(
            Instrument.objects.filter(
                resolution_links__resolution__in=self._without("instrument").values("pk")
            )
            .values_list("slug")
            .annotate(n=Count("resolution_links__resolution", distinct=True))
        )
        by_partner = dict(
            Partner.objects.filter(resolutions__in=self._without("partner").values("pk"))
            .values_list("slug")
            .annotate(n=Count("resolutions", distinct=True))
        )
        return {
            "body": by_body,
            "year": by_year,
            "instrument": by_instrument,
            "partner": by_partner,
        }
