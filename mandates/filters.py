"""The resolution list's filters. Their names are the public URL contract (see README)."""

import django_filters
from django import forms
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from instruments.models import Instrument
from mandates.models import (
    Activity,
    Addressee,
    Body,
    Paragraph,
    Resolution,
    ResolutionInstrument,
)
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


class AlwaysBoundFilterSet(django_filters.FilterSet):
    """A page with no parameters is a valid, empty filter (all rows, every facet), not an
    unbound form: so facets, counts and sort work the same with and without a query string."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__({} if data is None else data, *args, **kwargs)


class ResolutionFilter(AlwaysBoundFilterSet):
    SORTS = {
        "newest": (_("Newest first"), Resolution._meta.ordering),
        "oldest": (_("Oldest first"), ["year", "adopted_on", "body__position", "number"]),
        "body": (_("Body"), ["body__position", "-year", "number"]),
        "symbol": (_("Symbol"), ["symbol", "body__position", "number"]),
    }

    q = django_filters.CharFilter(
        method="search",
        label=_("Keywords"),
        max_length=MAX_QUERY_LENGTH,
        help_text=_("Symbol, number, title, summary or paragraph text."),
    )
    body = SlugMultipleChoiceFilter(
        field_name="body__code",
        to_field_name="code",
        queryset=Body.objects.all(),
        noun="body",
        error_messages={
            "invalid_choice": _("There is no body “%(value)s”."),
            "invalid_pk_value": "",
        },
        label=_("Body"),
        method="filter_bodies",
    )
    year_from = YearFilter(field_name="year", lookup_expr="gte", label=_("From year"))
    year_to = YearFilter(field_name="year", lookup_expr="lte", label=_("To year"))
    instrument = SlugMultipleChoiceFilter(
        field_name="instruments__slug",
        to_field_name="slug",
        queryset=Instrument.objects.core_first(),
        method="filter_linked",
        noun="instrument",
        error_messages={
            "invalid_choice": _("There is no instrument “%(value)s”."),
            "invalid_pk_value": "",
        },
        label=_("Instrument"),
    )
    partner = SlugMultipleChoiceFilter(
        field_name="partners__slug",
        to_field_name="slug",
        queryset=Partner.objects.all(),
        method="filter_linked",
        noun="partner",
        error_messages={
            "invalid_choice": _("There is no partner “%(value)s”."),
            "invalid_pk_value": "",
        },
        label=_("Partner"),
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        label=_("Sort by"),
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

    def filter_bodies(self, queryset, name, value):
        """Adopted by any of these bodies, by primary key: the bodies were read when the form
        was validated, so the database gets constants (no join to bodies), and the (body, year)
        index serves the filter, the year facet and, for one body, the newest-first order."""
        if not value:
            return queryset
        return queryset.filter(body__in=[body.pk for body in value])

    def filter_linked(self, queryset, name, value):
        """Linked to any of these instruments (or naming any of these partners), as a semi-join
        on the link table: a resolution linked to two of them stays one row, so neither the
        page, nor its count, nor the facets need a DISTINCT over every column."""
        if not value:
            return queryset
        if name == "instruments__slug":
            links = ResolutionInstrument.objects.filter(instrument__in=[i.pk for i in value])
        else:
            links = Resolution.partners.through.objects.filter(partner__in=[p.pk for p in value])
        return queryset.filter(pk__in=links.values("resolution_id"))

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
            label = _("From %(year)s") % {"year": data["year_from"]}
            chosen.append(("year_from", str(data["year_from"]), label))
        if data.get("year_to") is not None:
            label = _("To %(year)s") % {"year": data["year_to"]}
            chosen.append(("year_to", str(data["year_to"]), label))
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
        """The resolutions every filter but `names` lets through: one row each (no filter joins
        a to-many relation), unordered, and built from the values validated once already (a
        new FilterSet would validate them again, at one query a filter)."""
        queryset = Resolution.objects.all()
        for name, value in self.form.cleaned_data.items():
            if name not in names and name != "sort":
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by()

    @staticmethod
    def _links_of(link_model, resolutions):
        """Link rows of these resolutions; all of them when no filter applies (no IN over the
        whole table)."""
        links = link_model.objects.order_by()
        if resolutions.query.where:
            links = links.filter(resolution__in=resolutions.values("pk"))
        return links

    facet_total = None  # the number of matching resolutions, when the facets tell it

    def facet_counts(self):
        """Counts per body, year, instrument and partner, counted by the database, each applying
        every filter but its own. Body and year group the filtered resolutions themselves (one
        row each, so no subquery); instruments and partners count distinct resolutions among
        the link rows (a resolution may link to an instrument twice, under two relations).

        When no body is chosen, the body counts add up to the number of matching resolutions:
        `facet_total` keeps it, and the list uses it instead of a COUNT query of its own. When
        no body and no year is chosen, both facets count the same rows, and one query grouped
        by body and year gives both (a keyword search then reads its matches 4 times, not 6).
        """
        data = self.form.cleaned_data
        no_body = not data.get("body")
        no_years = data.get("year_from") is None and data.get("year_to") is None
        # COUNT(*), not COUNT(id): with only year and body in play, the (year, body) and
        # (body, year) indexes answer without reading the table (index-only scans).
        if no_body and no_years:
            by_body, by_year = {}, {}
            cells = self._without().values_list("body__code", "year").annotate(n=Count("*"))
            for code, year, n in cells.order_by():
                by_body[code] = by_body.get(code, 0) + n
                by_year[year] = by_year.get(year, 0) + n
        else:
            by_body = dict(
                self._without("body").values_list("body__code").annotate(n=Count("*")).order_by()
            )
            by_year = dict(
                self._without("year_from", "year_to")
                .values_list("year")
                .annotate(n=Count("*"))
                .order_by()
            )
        if no_body:
            self.facet_total = sum(by_body.values())
        by_instrument = dict(
            self._links_of(ResolutionInstrument, self._without("instrument"))
            .values_list("instrument__slug")
            .annotate(n=Count("resolution_id", distinct=True))
        )
        by_partner = dict(
            self._links_of(Resolution.partners.through, self._without("partner"))
            .values_list("partner__slug")
            .annotate(n=Count("resolution_id", distinct=True))
        )
        return {
            "body": by_body,
            "year": by_year,
            "instrument": by_instrument,
            "partner": by_partner,
        }


# --- Paragraphs: what each operative paragraph asks, of whom ------------------------------------


def _no_such(message):
    """Error messages for a slug filter: one translatable sentence naming the unknown value."""
    return {"invalid_choice": message, "invalid_pk_value": ""}


class ParagraphFilter(AlwaysBoundFilterSet):
    """The paragraph list's filters (/paragraphs/). Their names are the public URL contract."""

    TAGGED = [("yes", _("Tagged")), ("no", _("Untagged"))]

    addressee = SlugMultipleChoiceFilter(
        field_name="addressees__slug",
        to_field_name="slug",
        queryset=Addressee.objects.all(),
        noun="addressee",
        error_messages=_no_such(_("There is no addressee “%(value)s”.")),
        label=_("Addressed to"),
    )
    verb = django_filters.MultipleChoiceFilter(
        field_name="verb",
        choices=Paragraph.Verb.choices,
        conjoined=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("There is no operative verb “%(value)s”.")},
        label=_("Operative verb"),
    )
    activity = SlugMultipleChoiceFilter(
        field_name="activities__slug",
        to_field_name="slug",
        queryset=Activity.objects.all(),
        noun="activity",
        error_messages=_no_such(_("There is no activity “%(value)s”.")),
        label=_("Activity"),
    )
    partner = SlugMultipleChoiceFilter(
        field_name="partners__slug",
        to_field_name="slug",
        queryset=Partner.objects.all(),
        noun="partner",
        error_messages=_no_such(_("There is no partner “%(value)s”.")),
        label=_("Partner named"),
    )
    body = SlugMultipleChoiceFilter(
        field_name="resolution__body__code",
        to_field_name="code",
        queryset=Body.objects.all(),
        noun="body",
        error_messages=_no_such(_("There is no body “%(value)s”.")),
        label=_("Body"),
    )
    year_from = YearFilter(field_name="resolution__year", lookup_expr="gte", label=_("From year"))
    year_to = YearFilter(field_name="resolution__year", lookup_expr="lte", label=_("To year"))
    tagged = django_filters.ChoiceFilter(
        method="filter_tagged",
        choices=TAGGED,
        empty_label=_("Any"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Tagged is “yes” or “no”, not “%(value)s”.")},
        label=_("Tagged"),
    )

    class Meta:
        model = Paragraph
        fields = [
            "addressee",
            "verb",
            "activity",
            "partner",
            "body",
            "year_from",
            "year_to",
            "tagged",
        ]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["body"].field.label_from_instance = lambda b: b.code
        self.filters["partner"].field.label_from_instance = lambda p: p.acronym

    def filter_tagged(self, queryset, name, value):
        return queryset.tagged() if value == "yes" else queryset.untagged()

    def selected_filters(self):
        """[{label, query}]: each value in force, and the query string that removes it alone."""
        if not self.is_valid():
            return []
        data = self.form.cleaned_data
        chosen = []
        for name in ("addressee", "activity", "partner", "body"):
            field = self.filters[name].field
            chosen += [
                (name, getattr(obj, field.to_field_name), field.label_from_instance(obj))
                for obj in data.get(name) or []
            ]
        chosen += [("verb", verb, Paragraph.Verb(verb).label) for verb in data.get("verb") or []]
        if data.get("year_from") is not None:
            label = _("From %(year)s") % {"year": data["year_from"]}
            chosen.append(("year_from", str(data["year_from"]), label))
        if data.get("year_to") is not None:
            chosen.append(
                ("year_to", str(data["year_to"]), _("To %(year)s") % {"year": data["year_to"]})
            )
        if data.get("tagged"):
            chosen.append(("tagged", data["tagged"], dict(self.TAGGED)[data["tagged"]]))
        selected = []
        for name, value, label in chosen:
            remaining = self.data.copy()
            remaining.setlist(name, [v for v in remaining.getlist(name) if v != value])
            remaining.pop("page", None)
            selected.append({"label": label, "query": remaining.urlencode()})
        return selected

    # --- facets: each computed with every other filter applied, one query each

    def _without(self, *names):
        """The paragraphs every other filter lets through, as a subquery. The values were
        validated once already, so this costs no query of its own."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in names:
                queryset = self.filters[name].filter(queryset, value)
        return queryset.values("pk")

    def facet_counts(self):
        paragraphs = Paragraph.objects.order_by()
        return {
            "addressee": dict(
                Addressee.objects.filter(paragraphs__in=self._without("addressee"))
                .values_list("slug")
                .annotate(n=Count("paragraphs", distinct=True))
            ),
            "verb": dict(
                paragraphs.filter(pk__in=self._without("verb"))
                .exclude(verb="")
                .values_list("verb")
                .annotate(n=Count("pk"))
            ),
            "activity": dict(
                Activity.objects.filter(paragraphs__in=self._without("activity"))
                .values_list("slug")
                .annotate(n=Count("paragraphs", distinct=True))
            ),
            "partner": dict(
                Partner.objects.filter(paragraphs__in=self._without("partner"))
                .values_list("slug")
                .annotate(n=Count("paragraphs", distinct=True))
            ),
            "body": dict(
                paragraphs.filter(pk__in=self._without("body"))
                .values_list("resolution__body__code")
                .annotate(n=Count("pk"))
            ),
            "year": dict(
                paragraphs.filter(pk__in=self._without("year_from", "year_to"))
                .values_list("resolution__year")
                .annotate(n=Count("pk"))
            ),
            "tagged": paragraphs.filter(pk__in=self._without("tagged")).tagged_counts(),
        }


# --- The graph: body and years, named as on the resolution list ---------------------------------


class GraphFilter(AlwaysBoundFilterSet):
    """/graph/?body=GA&year_from=2010: the resolution list's names for the same filters."""

    body = SlugMultipleChoiceFilter(
        field_name="body__code",
        to_field_name="code",
        queryset=Body.objects.all(),
        noun="body",
        error_messages=_no_such(_("There is no body “%(value)s”.")),
        label=_("Body"),
    )
    year_from = YearFilter(field_name="year", lookup_expr="gte", label=_("From year"))
    year_to = YearFilter(field_name="year", lookup_expr="lte", label=_("To year"))

    class Meta:
        model = Resolution
        fields = ["body", "year_from", "year_to"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["body"].field.label_from_instance = lambda b: b.code
