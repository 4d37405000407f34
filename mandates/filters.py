"""The list pages' filters. Their names are the public URL contract (see README)."""

import hashlib
from dataclasses import dataclass
from functools import cached_property

import django_filters
from django import forms
from django.core.cache import cache
from django.utils.text import slugify
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from core.text import joined
from instruments.models import Instrument
from mandates.models import Body, Resolution
from pagecache import version
from partners.models import Partner

MAX_QUERY_LENGTH = 200


class YearField(forms.IntegerField):
    """A whole number whose error names what was typed: "“abc” is not a year", shown as text
    (the page's number field is then left empty: it cannot hold "abc")."""

    default_error_messages = {"invalid": _("“%(value)s” is not a year: write it in figures.")}

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code != "invalid":
                raise
            shown = str(value)[:20]
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": shown}
            ) from error


class YearFilter(django_filters.NumberFilter):
    """A whole year; anything else ("abc", "1e9", "99999") is a form error, not a crash."""

    field_class = YearField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1000)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Repeatable filter on a slug-like key, OR within the filter; unknown values are errors.
    Values are case-insensitive: `case` (str.lower for slugs, str.upper for codes such as
    "GA") puts what the address says in the key's own case before it is looked up.

    `aliases`, if given, returns {another name, in the key's case: key}: names a visitor may
    type for a key ("AG", the French abbreviation, for "GA"). It is asked only when a value is
    not a key (AlwaysBoundFilterSet.is_valid()), so a list of keys costs no query more."""

    def __init__(self, *args, case=str.lower, aliases=None, **kwargs):
        self.case = case
        self.aliases = aliases
        kwargs.setdefault("conjoined", False)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(*args, **kwargs)


def unknown_value_messages(message):
    """Error messages for a slug filter: one translatable sentence naming the unknown value."""
    return {"invalid_choice": message, "invalid_pk_value": ""}


class YearRangeFormMixin:
    """A year range that ends before it starts is an error naming both years, not an empty
    list (on the filter form of every page with year_from and year_to)."""

    def clean(self):
        data = super().clean()
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and start > end:
            message = _(
                "The years are the wrong way round: from %(start)s is after to %(end)s. "
                "Swap them to see %(end)s to %(start)s."
            )
            self.add_error("year_to", message % {"start": start, "end": end})
        return data


@dataclass(frozen=True)
class FacetChoice:
    """One checkbox of a facet, as data for mandates/includes/facet_choice.html."""

    value: str
    label: str
    id: str
    selected: bool
    count: int | None  # the rows ticking it would keep; None when nothing was counted
    narrowed: str  # "?query": the list with this choice alone ticked, the other filters kept
    title: str = ""  # spells out an abbreviated label

    @property
    def leads_somewhere(self):
        """It keeps rows, or is ticked (so it can be unticked), or nothing was counted (the
        filters were invalid). Otherwise it is drawn greyed and cannot be ticked."""
        return bool(self.count) or self.selected or self.count is None


@dataclass
class Widening:
    """A list one step wider than an empty one: what changed (`kind`: "drop", a filter
    removed, or "assistance", paragraphs naming the addressee's assistance included), the
    labels of the filters removed, the parameters (`query`, a QueryDict) and the cleaned
    values of that list, and once counted, how many rows it has."""

    kind: str
    labels: list
    query: object
    values: dict
    count: int = 0

    @property
    def link(self):
        return f"?{self.query.urlencode()}"


@dataclass(frozen=True)
class Facet:
    """A filter's checkboxes with their counts, as data for mandates/includes/facet.html."""

    name: str
    legend: str
    choices: list
    errors: list

    @cached_property
    def nowhere(self):
        """The choices that would keep no row."""
        return [choice for choice in self.choices if not choice.leads_somewhere]

    @cached_property
    def narrowed(self):
        """{value: "?query"}: where a row's tag for a choice leads (the list narrowed to it)."""
        return {choice.value: choice.narrowed for choice in self.choices}


class AlwaysBoundFilterSet(django_filters.FilterSet):
    """A page with no parameters is a valid, empty filter (all rows, every facet), not an
    unbound form: so facets, counts and sort work the same with and without a query string."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(self.in_keys_case({} if data is None else data), *args, **kwargs)

    def in_keys_case(self, data):
        """The parameters with each slug filter's values in its key's case (body=ga is
        body=GA), so the checkboxes show them ticked and the links keep them."""
        if not hasattr(data, "getlist"):
            return data
        data = data.copy()
        for name, flt in self.base_filters.items():
            if isinstance(flt, SlugMultipleChoiceFilter) and name in data:
                data.setlist(name, [flt.case(value) for value in data.getlist(name)])
        return data

    renamed = False  # True once is_valid() has read another name for a key as the key

    def is_valid(self):
        """The filters are all understood. A value that is not a key but another name for one
        (SlugMultipleChoiceFilter.aliases: a French body code, "AG" for "GA") is read as its
        key: the parameters are rewritten with the keys, `renamed` is set (a page then sends
        the visitor to its address with the keys) and the form is bound again."""
        if super().is_valid():
            return True
        return self.read_aliases() and super().is_valid()

    @property
    def errors(self):
        self.is_valid()  # aliases first: the filtered rows (qs) ask for the errors alone
        return self.form.errors

    def read_aliases(self):
        """Rewrite the values that are aliases of a key into the key; True if any was."""
        if not hasattr(self.data, "getlist"):
            return False
        data = None
        for name, flt in self.filters.items():
            aliases = getattr(flt, "aliases", None)
            if aliases is None or name not in self.form.errors or name not in self.data:
                continue
            keys = aliases()
            values = self.data.getlist(name)
            read = [keys.get(flt.case(value), value) for value in values]
            if read != values:
                data = data or self.data.copy()
                data.setlist(name, read)
        if data is None:
            return False
        self.data, self.renamed = data, True
        del self._form  # bound again, to the keys
        return True

    def get_form_class(self):
        form_class = super().get_form_class()
        if {"year_from", "year_to"} <= set(self.filters):
            return type(form_class.__name__, (YearRangeFormMixin, form_class), {})
        return form_class

    def apply(self, queryset, values):
        """The rows these filter values ({name: cleaned value}) let through: the list's own
        filtering (filter_queryset), and the facets' and the wider suggestion's, which leave
        some filters out. A FilterSet whose filters act together overrides it."""
        for name, value in values.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset):
        return self.apply(queryset, self.form.cleaned_data)

    def without(self, *names):
        """The rows every filter but `names` lets through (the sort aside): what a facet
        counts, each facet applying every other filter."""
        values = self.form.cleaned_data
        kept = {name: value for name, value in values.items() if name not in {*names, "sort"}}
        return self.apply(self.queryset.all(), kept).order_by()

    # --- no result: the nearest wider list that has some

    # Parameters removed together to widen a list (a year range is one filter).
    FILTER_GROUPS = (("year_from", "year_to"),)

    def widenings(self):
        """[Widening] one step wider than these filters, not yet counted: each filter in force
        removed on its own (all its values). A subclass adds its own kinds."""
        data, chosen = self.form.cleaned_data, list(self.chosen())
        groups = [*self.FILTER_GROUPS]
        grouped = {name for group in groups for name in group}
        groups += [(name,) for name in self.filters if name not in grouped and name != "sort"]
        steps = []
        for group in groups:
            if not any(v.strip() for name in group for v in self.data.getlist(name)):
                continue
            query = self.data.copy()
            for name in group:
                query.pop(name, None)
            values = {name: value for name, value in data.items() if name not in group}
            labels = [str(label) for name, _value, label in chosen if name in group]
            steps.append(Widening("drop", labels, query, values))
        return steps

    def nearest_wider(self):
        """The smallest list, one step wider than these filters, that is not empty (a filter
        removed, or what a subclass offers), as a Widening with its count and its "?query";
        None if the filters are invalid or no such step has rows. One count a step."""
        if not self.is_valid():
            return None
        best = None
        for step in self.widenings():
            values = {name: value for name, value in step.values.items() if name != "sort"}
            count = self.apply(self.queryset.all(), values).order_by().count()
            if count and (best is None or count < best.count):
                best = step
                best.count = count
        if best is not None:
            best.query.pop("page", None)
        return best

    def cached_facet_counts(self):
        """facet_counts(), kept in the default cache until any record changes (the data
        version is part of the key, as it is of the page cache's): the counts depend on the
        filters and the data alone, and a list's visitors ask for the same few filters.
        None while the filters are invalid."""
        if not self.is_valid():
            return None
        given = sorted(
            (name, value)
            for name in self.filters
            if name != "sort"
            for value in self.data.getlist(name)
        )
        digest = hashlib.md5(repr(given).encode(), usedforsecurity=False).hexdigest()
        key = f"facets:{type(self).__name__}:{self.queryset.db}:{version.current()}:{digest}"
        counts = cache.get(key)
        if counts is None:
            counts = self.facet_counts()
            cache.set(key, counts)
        return counts

    def facet(self, name, counts, legend=None, title=None, label=str):
        """Filter `name`'s checkboxes as data: each choice with its value, label, the count in
        `counts` ({facet: {value: n}}, None if not counted) and whether it is ticked.
        `title(record)` spells out a record's abbreviated label; `label` shapes every label."""
        bound = self.form[name]
        ticked = {str(value) for value in bound.value() or []}
        counted = None if counts is None else counts.get(name, {})
        query = self.data.copy()
        query.pop("page", None)
        choices = []
        for index, (value, text) in enumerate(bound.field.choices):
            record = getattr(value, "instance", None)  # a model choice's record
            value = str(value)
            query.setlist(name, [value])
            choices.append(
                FacetChoice(
                    value=value,
                    label=label(str(text)),
                    id=f"{bound.auto_id}_{index}",
                    selected=value in ticked,
                    count=None if counted is None else counted.get(value, 0),
                    narrowed=f"?{query.urlencode()}",
                    title=title(record) if title and record is not None else "",
                )
            )
        return Facet(name, str(legend or bound.label), choices, bound.errors)

    def selected_filters(self):
        """[{label, query}]: each value in force, and the query string that removes it alone."""
        if not self.is_valid():
            return []
        selected = []
        for name, value, label in self.chosen():
            remaining = self.data.copy()
            remaining.setlist(name, [v for v in remaining.getlist(name) if v != value])
            remaining.pop("page", None)
            selected.append({"label": label, "query": remaining.urlencode()})
        return selected

    def chosen_records(self, *names):
        """(name, value, label) for each record chosen in the model-choice filters `names`."""
        for name in names:
            field = self.filters[name].field
            for obj in self.form.cleaned_data.get(name) or []:
                yield name, str(getattr(obj, field.to_field_name)), field.label_from_instance(obj)

    def chosen_years(self):
        data = self.form.cleaned_data
        if data.get("year_from") is not None:
            label = _("From %(year)s") % {"year": data["year_from"]}
            yield "year_from", str(data["year_from"]), label
        if data.get("year_to") is not None:
            yield "year_to", str(data["year_to"]), _("To %(year)s") % {"year": data["year_to"]}


class ResolutionFilter(AlwaysBoundFilterSet):
    SORTS = {
        "newest": (_("Newest first"), Resolution._meta.ordering),
        "oldest": (_("Oldest first"), ["year", "adopted_on", "body__position", "number"]),
        "body": (_("Body"), ["body__position", "-year", "number"]),
        "symbol": (_("Symbol"), ["symbol", "body__position", "number"]),
        # Only offered with keywords: the order search() gives, best match first.
        "relevance": (_("Relevance"), None),
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
        queryset=Body.public.only("code", "name", "code_fr", "name_fr", "of_name_fr"),
        distinct=False,  # one body a resolution: no duplicates to remove
        error_messages=unknown_value_messages(_("There is no body “%(value)s”.")),
        label=_("Body"),
        case=str.upper,
        aliases=Body.objects.code_aliases,
    )
    year_from = YearFilter(field_name="year", lookup_expr="gte", label=_("From year"))
    year_to = YearFilter(field_name="year", lookup_expr="lte", label=_("To year"))
    instrument = SlugMultipleChoiceFilter(
        field_name="instruments__slug",
        to_field_name="slug",
        queryset=Instrument.public.core_first().only("slug", "short_name", "adopted_on"),
        method="filter_linked",
        error_messages=unknown_value_messages(_("There is no instrument “%(value)s”.")),
        label=_("Instrument"),
    )
    partner = SlugMultipleChoiceFilter(
        field_name="partners__slug",
        to_field_name="slug",
        queryset=Partner.public.only("slug", "acronym"),
        method="filter_linked",
        error_messages=unknown_value_messages(_("There is no partner “%(value)s”.")),
        label=_("Partner"),
    )
    relevance = django_filters.MultipleChoiceFilter(
        choices=Resolution.Relevance.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Relevance"),
        error_messages={
            "invalid_choice": _("There is no relevance “%(value)s”: use unodc or related.")
        },
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
        fields = ["q", "body", "year_from", "year_to", "instrument", "partner", "relevance", "sort"]

    def in_keys_case(self, data):
        data = super().in_keys_case(data)
        # Relevance without keywords (the search removed, its order kept): the default.
        searching = hasattr(data, "getlist") and data.get("q", "").strip()
        if hasattr(data, "getlist") and not searching and data.get("sort") == "relevance":
            data.pop("sort")
        return data

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # "Relevance" is a choice (and the first, so the default) only with keywords.
        choices = [(key, label) for key, (label, _order) in self.SORTS.items()]
        if self.data.get("q", "").strip():
            choices.insert(0, choices.pop())
        else:
            choices.pop()
        self.filters["sort"].extra["choices"] = choices
        # The facets' labels: short names, in the page's language.
        self.filters["body"].field.label_from_instance = lambda b: b.display_code
        self.filters["instrument"].field.label_from_instance = lambda i: i.short_name
        self.filters["partner"].field.label_from_instance = lambda p: p.acronym

    def search(self, queryset, name, value):
        return queryset.search(value)

    def filter_linked(self, queryset, name, value):
        if not value:
            return queryset
        if name == "instruments__slug":
            return queryset.linked_to(value)
        return queryset.naming(value)

    def sort_by(self, queryset, name, value):
        order = self.SORTS[value][1]
        return queryset.order_by(*order) if order else queryset  # relevance: search()'s

    @property
    def sort_key(self):
        """The order in force: the one asked for, else relevance for a keyword search, else
        newest first."""
        sort = self.form.cleaned_data.get("sort") if self.is_valid() else None
        searching = self.is_valid() and self.form.cleaned_data.get("q")
        return sort or ("relevance" if searching else "newest")

    def chosen(self):
        data = self.form.cleaned_data
        if data.get("q"):
            # Translators: the words searched for, quoted: « Iraq » in French.
            yield "q", data["q"], gettext("“%(words)s”") % {"words": data["q"]}
        yield from self.chosen_records("body", "instrument", "partner")
        labels = dict(Resolution.Relevance.choices)
        for value in data.get("relevance") or []:
            yield "relevance", value, labels[value]
        yield from self.chosen_years()

    def title(self):
        """The list's name for these filters, in the page's language: "Security Council
        resolutions, 2015–2017, linked to UNTOC" ("Résolutions du Conseil de sécurité, ...")."""
        if not self.is_valid():
            return gettext("Resolutions")
        data = self.form.cleaned_data
        french = get_language() == "fr"
        bodies = [
            b.of_name_fr if french and b.of_name_fr else b.name for b in data.get("body") or []
        ]
        if bodies:
            parts = [gettext("%(bodies)s resolutions") % {"bodies": joined(bodies)}]
        else:
            parts = [gettext("Resolutions")]
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None:
            parts.append(str(start) if start == end else f"{start}–{end}")
        elif start is not None:
            parts.append(gettext("from %(year)s") % {"year": start})
        elif end is not None:
            parts.append(gettext("to %(year)s") % {"year": end})
        if data.get("instrument"):
            names = joined([i.short_name for i in data["instrument"]], gettext("or"))
            parts.append(gettext("linked to %(names)s") % {"names": names})
        if data.get("partner"):
            names = joined([p.acronym for p in data["partner"]], gettext("or"))
            parts.append(gettext("naming %(names)s") % {"names": names})
        if data.get("q"):
            parts.append(gettext("matching “%(words)s”") % {"words": data["q"]})
        return ", ".join(parts)

    def export_filename(self, extension):
        """The file an export of these filters is saved as: resolutions-sc-2015-2017.csv."""
        parts = ["resolutions"]
        if self.is_valid():
            data = self.form.cleaned_data
            parts += [b.code.lower() for b in data.get("body") or []]
            start, end = data.get("year_from"), data.get("year_to")
            if start is not None and end is not None:
                parts.append(str(start) if start == end else f"{start}-{end}")
            elif start is not None:
                parts.append(f"from-{start}")
            elif end is not None:
                parts.append(f"to-{end}")
            parts += [i.slug for i in data.get("instrument") or []]
            parts += [p.slug for p in data.get("partner") or []]
            parts.append(slugify(data.get("q") or ""))
        name = "-".join(part for part in parts if part)[:120].rstrip("-")
        return f"{name}.{extension}"

    def facets(self, counts):
        """The list's checkbox facets, as data, with `counts` (None: not counted)."""
        return {
            "body": self.facet("body", counts, title=lambda body: body.display_name),
            "instrument": self.facet("instrument", counts),
            "partner": self.facet("partner", counts, legend=_("Partner named")),
            "relevance": self.facet("relevance", counts),
        }

    def facet_counts(self):
        """{facet: {value: number of resolutions}} for body, year, instrument and partner,
        each counted with every filter but its own (so a count is the length of the list its
        link leads to)."""
        return {
            "body": self.without("body").body_counts(),
            "year": self.without("year_from", "year_to").year_facet_counts(),
            "instrument": self.without("instrument").instrument_counts(),
            "partner": self.without("partner").partner_counts(),
            "relevance": self.without("relevance").relevance_counts(),
        }
