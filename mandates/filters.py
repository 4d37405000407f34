"""The list pages' filters. Their names are the public URL contract (see README).

A FilterSet here declares its filters, reads and checks their values (aliases too), filters and
sorts the rows and counts the facets. What a page says about them (its title, the filters in
force, the facets' checkboxes and links, the nearest wider list) is mandates/listing.py's."""

import hashlib
from functools import cached_property

import django_filters
from django import forms
from django.core.cache import cache
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

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


class KeptChoiceIterator(ModelChoiceIterator):
    """A KeptChoicesField's choices, from its kept records: no query (a model field's own
    iterator reads its queryset each time the choices are drawn, counted or tested)."""

    def __iter__(self):
        for record in self.field.records():
            yield self.choice(record)

    def __len__(self):
        return len(self.field.records())

    def __bool__(self):
        return bool(self.field.records())


class KeptChoicesField(django_filters.fields.ModelMultipleChoiceField):
    """A model multiple-choice field whose records come from `kept` (a callable: the FilterSet
    keeps them per data version, AlwaysBoundFilterSet.kept_choices()), for its choices and
    for checking the values typed: an unchanged database costs no query for them. Without
    `kept`, it reads its queryset, as any model field does."""

    iterator = KeptChoiceIterator

    def __init__(self, *args, kept=None, **kwargs):
        self.kept = kept
        super().__init__(*args, **kwargs)

    def records(self):
        return self.kept() if self.kept else list(self.queryset)

    def clean(self, value):
        # Nothing chosen is an empty list, as a choice is a list of records: a model field's
        # empty queryset would be compiled (to no SQL) the first time a filter or a page asks
        # whether it is empty.
        if self.kept is not None and not self.required and not self.prepare_value(value):
            return []
        return super().clean(value)

    def _check_values(self, value):
        # As the queryset's check (django-filter's override of Django's): the records named,
        # in the choices' order, each once; the first unknown value is the field's
        # invalid_choice error, with the value typed.
        if self.kept is None:
            return super()._check_values(value)
        key = self.to_field_name or "pk"
        records = {str(getattr(record, key)): record for record in self.records()}
        for typed in value:
            self.validate_no_null_characters(typed)
            if str(typed) not in records:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": typed},
                )
        named = {str(typed) for typed in value}
        return [record for name, record in records.items() if name in named]


class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Repeatable filter on a slug-like key, OR within the filter; unknown values are errors.
    Values are case-insensitive: `case` (str.lower for slugs, str.upper for codes such as
    "GA") puts what the address says in the key's own case before it is looked up.

    `aliases`, if given, returns {another name, in the key's case: key}: names a visitor may
    type for a key ("AG", the French abbreviation, for "GA"). It is asked only when a value is
    not a key (AlwaysBoundFilterSet.is_valid()), so a list of keys costs no query more.

    Its choices are kept per data version by the FilterSet (KeptChoicesField)."""

    field_class = KeptChoicesField

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


class AlwaysBoundFilterSet(django_filters.FilterSet):
    """A page with no parameters is a valid, empty filter (all rows, every facet), not an
    unbound form: so facets, counts and sort work the same with and without a query string."""

    # The slug filters' choices are kept per data version (kept_choices()). A FilterSet whose
    # page reads no data version otherwise says False: it would trade a query for another.
    KEEP_CHOICES = True

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(self.in_keys_case({} if data is None else data), *args, **kwargs)
        for name, flt in self.filters.items():
            if self.KEEP_CHOICES and isinstance(flt, SlugMultipleChoiceFilter):
                flt.extra["kept"] = lambda name=name: self.kept_choices[name]

    @cached_property
    def data_version(self):
        """The data version this request reads (version.seen_by(): one query a page, the
        footer's date with it): the key of what is kept in the cache for it."""
        token, _published_at = version.seen_by(self.request)
        return token

    @cached_property
    def kept_choices(self):
        """{filter name: [records]}: the choices of the slug filters, read from the database
        once per data version and kept in the default cache, as the facet counts are: any
        write gives a new version, so a new public record is a choice at once and a draft
        never is. The records, not their labels, are kept: each page words them in its
        language (label_from_instance)."""
        key = f"choices:{type(self).__name__}:{self.queryset.db}:{self.data_version}"
        choices = cache.get(key)
        if choices is None:
            choices = {
                name: list(flt.get_queryset(self.request).all())
                for name, flt in self.filters.items()
                if isinstance(flt, SlugMultipleChoiceFilter)
            }
            cache.set(key, choices)
        return choices

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

    # Parameters removed together to widen a list (a year range is one filter): see
    # mandates/listing.py, Listing.widenings().
    FILTER_GROUPS = (("year_from", "year_to"),)

    def count_with(self, values):
        """How many rows these filter values ({name: cleaned value}) let through, the sort
        aside: the count of a list one step wider than this one (Listing.nearest_wider())."""
        kept = {name: value for name, value in values.items() if name != "sort"}
        return self.apply(self.queryset.all(), kept).order_by().count()

    def length_from_facets(self, counts):
        """How many rows these filters let through, read from their facet counts (`counts`,
        from cached_facet_counts()) where a facet adds up to the list; None where none does
        (the list is then counted). See ResolutionFilter."""
        return None

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
        key = f"facets:{type(self).__name__}:{self.queryset.db}:{self.data_version}:{digest}"
        counts = cache.get(key)
        if counts is None:
            counts = self.facet_counts()
            cache.set(key, counts)
        return counts


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

    def length_from_facets(self, counts):
        """The body facet adds up to the list: each resolution has one body, and the facet
        counts every other filter, so the counts of the bodies chosen (of every body, none
        chosen) are the list's length. Read from the same cached counts as the facets, the page
        costs no COUNT of its own."""
        by_body, chosen = counts["body"], self.form.cleaned_data.get("body")
        return sum(by_body.get(b.code, 0) for b in chosen) if chosen else sum(by_body.values())

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
