"""The resolution list's filters. Their names are the public URL contract (see README)."""

import html
from typing import NamedTuple
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, models
from django.db.models import Count
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from instruments.models import Instrument
from mandates.models import (
    Activity,
    Addressee,
    Body,
    Paragraph,
    Resolution,
    ResolutionInstrument,
    ResolutionTally,
    reference_list,
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


class ChoicesOnceField(django_filters.fields.ModelMultipleChoiceField):
    """A model multiple choice field that reads its choices once per form, and checks the
    values given against them in memory: the facet list then draws the same objects (see
    AlwaysBoundFilterSet.facet_choices), so the check and the list cost one query, not two.
    Its choices are short reference lists (bodies, instruments, partners...)."""

    _objects = None
    sort_key = None  # an order to put the choices in, when the queryset's own would cost more

    def objects(self):
        if self._objects is None:
            objects = reference_list(self.queryset)
            self._objects = sorted(objects, key=self.sort_key) if self.sort_key else objects
        return self._objects

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result._objects = None  # each form reads its own
        return result

    def _check_values(self, value):
        """The chosen objects, in the order of the choices, or the errors the stock field
        gives (invalid_list, invalid_choice)."""
        try:
            value = frozenset(str(v) for v in value)
        except TypeError:
            invalid = self.error_messages["invalid_list"]
            raise forms.ValidationError(invalid, code="invalid_list") from None
        key = self.to_field_name or "pk"
        chosen = [obj for obj in self.objects() if str(getattr(obj, key)) in value]
        known = {str(getattr(obj, key)) for obj in chosen}
        for unknown in sorted(value - known):
            self.validate_no_null_characters(unknown)
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": unknown},
            )
        return chosen


class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Repeatable filter on a slug-like key, OR within the filter; unknown values are errors."""

    field_class = ChoicesOnceField

    def __init__(self, *args, noun, **kwargs):
        kwargs.setdefault("conjoined", False)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": f"There is no {noun} “%(value)s”.", "invalid_pk_value": ""},
        )
        super().__init__(*args, **kwargs)


class FacetChoice(NamedTuple):
    """One checkbox of a facet, with its count. It draws its own <li> (item, abbr_item): the
    list's facets hold two dozen of them, and in the template language they cost as much as
    the rest of its sidebar; an f-string costs a tenth, every value escaped as the template
    would."""

    name: str  # the filter's
    id: str  # the id the form's widget would give it: id_<name>_<index>
    value: str
    label: str
    title: str  # the full name, for an <abbr> around a short label
    count: int
    checked: bool
    invalid: bool  # the filter has an error

    @property
    def checkbox(self):
        """Its <input>, as CheckboxSelectMultiple would draw it (for a fraction of the cost)."""
        e = html.escape
        checked = " checked" if self.checked else ""
        invalid = ' aria-invalid="true"' if self.invalid else ""
        return mark_safe(
            f'<input type="checkbox" name="{e(self.name)}" value="{e(self.value)}"'
            f' id="{e(self.id)}"{checked}{invalid}>'
        )

    @property
    def item(self):
        """Its <li>: the checkbox, labelled, and the count."""
        return mark_safe(
            f'<li><label for="{html.escape(self.id)}">{self.checkbox} {html.escape(self.label)}'
            f'</label> <span class="count">{self.count}</span></li>\n'
        )

    @property
    def abbr_item(self):
        """Its <li>, the label an <abbr> of the full name, and the count read as "n matching"."""
        e = html.escape
        matching = _("%(n)s matching") % {"n": self.count}
        return mark_safe(
            f'<li><label for="{e(self.id)}">{self.checkbox} <abbr title="{e(self.title)}">'
            f'{e(self.label)}</abbr></label>\n  <span class="count" aria-label="{e(matching)}">'
            f"{self.count}</span></li>\n"
        )


class Facet(NamedTuple):
    """A facet's choices: all of them, and split into those with a match or ticked (shown)
    and the rest (folded away)."""

    choices: list
    shown: list
    others: list


class AlwaysBoundFilterSet(django_filters.FilterSet):
    """A page with no parameters is a valid, empty filter (all rows, every facet), not an
    unbound form: so facets, counts and sort work the same with and without a query string."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__({} if data is None else data, *args, **kwargs)

    def query_string(self, **changes):
        """This filter's query string with `changes` made (None removes a parameter), as
        {% querystring %} would give it: "?body=SC&instrument=untoc", or "" when there is none.

        The list draws a hundred such links; the template tag deep-copies the request's
        QueryDict for each, which cost more than all of the page's SQL when it is not cached.
        """
        lists = dict(self.data.lists()) if hasattr(self.data, "lists") else {}
        for key, value in changes.items():
            if value is None:
                lists.pop(key, None)
            else:
                lists[key] = [str(value)]
        if not lists and not self.data:
            return ""
        return "?" + urlencode([(key, value) for key, values in lists.items() for value in values])

    def raw_values(self, name):
        """The values given for `name`, as strings, valid or not (what a form would redisplay)."""
        getlist = getattr(self.data, "getlist", None)
        if getlist is not None:
            return getlist(name)
        value = self.data.get(name)
        return [] if value is None else [value] if isinstance(value, str) else list(value)

    def facet_choices(self, name, counts, title=None):
        """The Facet of a model-choice filter: every choice, with its count and whether it is
        ticked, in the field's order. One query, shared with the check of the values given.

        Built here rather than by the form's widgets: a CheckboxSelectMultiple renders each
        option through the form renderer's templates, which made the two dozen checkboxes of
        the resolution list its largest single cost when the page cache is off.
        """
        field = self.form.fields[name]
        key = field.to_field_name
        chosen = set(self.raw_values(name))
        invalid = name in self.form.errors
        choices = []
        for index, obj in enumerate(field.objects()):
            value = str(getattr(obj, key))
            label = field.label_from_instance(obj)
            choices.append(
                FacetChoice(
                    name=name,
                    id=f"id_{name}_{index}",
                    value=value,
                    label=label,
                    title=getattr(obj, title) if title else label,
                    count=counts.get(value, 0),
                    checked=value in chosen,
                    invalid=invalid,
                )
            )
        return Facet(
            choices,
            shown=[c for c in choices if c.count or c.checked],
            others=[c for c in choices if not (c.count or c.checked)],
        )


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
        queryset=Body.objects.only("code", "name"),
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
        # core_first() in Python (sort_key, set below): its CASE costs more to build than the
        # query does to run.
        queryset=Instrument.objects.only("slug", "short_name", "adopted_on"),
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
        queryset=Partner.objects.only("slug", "acronym"),
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
        self.filters["instrument"].field.sort_key = Instrument.core_rank
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

    def _conditions(self):
        """{filter name: (sql, params)}: the WHERE condition each filter in force puts on the
        resolutions table, compiled once from the ORM (every filter here is a condition on
        that table's own columns, or a semi-join subquery), for facet_counts() to combine.

        The four facet queries used to be four querysets, each applying every other filter
        again: building and compiling them cost ten times what the database took to answer.
        """
        if self._compiled is not None:
            return self._compiled
        conditions = {}
        for name, value in self.form.cleaned_data.items():
            if name == "sort":
                continue
            compiled = self._compile(name, value)
            if compiled is not None:
                conditions[name] = compiled
        self._compiled = conditions
        return conditions

    _compiled = None  # _conditions(), once made

    def _compile_now(self, name, value):
        """(sql, params): filter `name`'s condition for `value`, compiled by the ORM, or None
        when it puts none."""
        query = self.filters[name].filter(Resolution.objects.all(), value).query
        try:
            return query.get_compiler(using=Resolution.objects.db).compile(query.where)
        except FullResultSet:  # no condition: every row passes
            return None
        except EmptyResultSet:  # a condition no row can meet
            return ("1 = 0", [])

    # A filter's condition has the same SQL for any values of the same shape (a year; so many
    # chosen bodies, instruments or partners): the ORM compiles it once per process and shape,
    # with stand-in values, and each request fills its own in (as Resolution._page_query()
    # does). Building the filtered querysets was half of what the facets cost in Python. By
    # (database, filter, shape): None (no condition), or (sql, where each parameter comes
    # from). The keyword search is compiled every time (its parameters are derived from the
    # words).
    _condition_sql = {}
    # Stand-ins within the columns' ranges (Django turns "a positive column >= -1" into no
    # condition at all): a year, then primary keys, for the first and the second compilation.
    _STAND_IN_NUMBERS = (31000, 32000)
    _STAND_IN_PKS = (10**12, 2 * 10**12)

    @staticmethod
    def _shape(value):
        if value is None or value == "" or value == []:
            return ("none",)
        if isinstance(value, models.QuerySet) and value.query.is_empty():
            return ("none",)  # what a model choice filter left empty cleans to
        if isinstance(value, int) and not isinstance(value, bool):
            return ("number",)
        if isinstance(value, list) and all(isinstance(v, models.Model) for v in value):
            return ("records", len(value), *{type(v) for v in value})
        return None

    def _stand_ins(self, value, round_):
        if isinstance(value, int):
            return self._STAND_IN_NUMBERS[round_]
        if isinstance(value, list):
            base = self._STAND_IN_PKS[round_]
            return [type(v)(pk=base + i) for i, v in enumerate(value)]
        return value

    def _compile(self, name, value):
        shape = self._shape(value)
        if shape is None:
            return self._compile_now(name, value)
        key = (Resolution.objects.db, name, shape)
        if key not in self._condition_sql:
            self._condition_sql[key] = self._compile_shape(name, value)
        compiled = self._condition_sql[key]
        if compiled == "uncacheable":
            return self._compile_now(name, value)
        if compiled is None:
            return None
        sql, slots = compiled
        params = []
        for kind, item in slots:
            if kind == "constant":
                params.append(item)
            elif kind == "value":
                params.append(value)
            else:
                params.append(value[item].pk)
        return sql, params

    def _compile_shape(self, name, value):
        """The SQL of filter `name` for values shaped like `value`, and the source of each of
        its parameters: ("constant", the value), ("value", None) or ("pk", the index of the
        record in the value); or None if it puts no condition, "uncacheable" if the
        parameters do not come from the values as stand-ins show."""
        first, second = (
            self._compile_now(name, self._stand_ins(value, round_)) for round_ in (0, 1)
        )
        if first is None or second is None:
            return None if first is None and second is None else "uncacheable"
        if first[0] != second[0]:
            return "uncacheable"
        slots = []
        for one, other in zip(first[1], second[1], strict=True):
            if one == other:
                slots.append(("constant", one))
            elif isinstance(value, int) and (one, other) == self._STAND_IN_NUMBERS:
                slots.append(("value", None))
            elif (
                isinstance(value, list)
                and isinstance(one, int)
                and 0 <= one - self._STAND_IN_PKS[0] == other - self._STAND_IN_PKS[1] < len(value)
            ):
                slots.append(("pk", one - self._STAND_IN_PKS[0]))
            else:
                return "uncacheable"
        return first[0], slots

    def condition(self):
        """(sql, params): the WHERE condition of every filter in force, ANDed, or None when
        none is; for Resolution.list_rows(). Not for a keyword search, whose matches the list
        orders by relevance (a queryset annotation, so the list reads them as a queryset)."""
        conditions = self._conditions()
        if not conditions:
            return None
        return (
            " AND ".join(f"({sql})" for sql, _params in conditions.values()),
            [param for _sql, params in conditions.values() for param in params],
        )

    facet_total = None  # the number of matching resolutions, when the facets tell it
    # Filters whose matches the tally's (body, year) cells add up to.
    _TALLIED = frozenset({"body", "year_from", "year_to"})

    def facet_counts(self):
        """Counts per body, year, instrument and partner, counted by the database, each applying
        every filter but its own. Body and year group the filtered resolutions themselves (one
        row each, so no subquery); instruments and partners count distinct resolutions among
        the link rows (a resolution may link to an instrument twice, under two relations).

        The body counts of the chosen bodies (of all, when none is) add up to the number of
        matching resolutions: `facet_total` keeps it, and the list uses it instead of a COUNT.
        When no body and no year is chosen, both facets count the same rows, and one count
        grouped by body and year gives both (a keyword search then reads its matches 3 times,
        not 4). Bodies, instruments and partners are counted by id and named from the choices
        the form read already: no join. All of it is one statement (UNION ALL).

        A facet whose other filters are all bodies and years (the list unfiltered, or filtered
        by body and years) is summed from the tally's (body, year) cells (ResolutionTally,
        mandates/tally.py): a few dozen rows, where counting reads every matching resolution
        (16,000 index entries a request for SC in 2015-2017 at 100,000 resolutions).
        """
        conditions = self._conditions()
        quote = connection.ops.quote_name
        resolutions = quote(Resolution._meta.db_table)
        resolution_id = quote("resolution_id")

        def where(*without):
            parts = [cond for name, cond in conditions.items() if name not in without]
            sql = " AND ".join(f"({sql})" for sql, _params in parts)
            return sql, [param for _sql, params in parts for param in params]

        def grouped(kind, columns, *without):
            """A branch counting the resolutions every filter but `without` lets through,
            grouped by one or two of their columns: (kind, key, key or NULL, count)."""
            condition, params = where(*without)
            second = columns if "," in columns else f"{columns}, NULL"
            sql = (
                f"SELECT '{kind}', {second}, COUNT(*) FROM {resolutions}"
                f"{' WHERE ' + condition if condition else ''} GROUP BY {columns}"
            )
            return sql, params

        def linked(kind, link_model, column, without):
            """A branch counting, for each id of one side of a link table, the resolutions
            every filter but `without` lets through (all the links when no filter applies).
            COUNT(DISTINCT ...): a resolution may link to an instrument twice, under two
            relations, and is counted once."""
            condition, params = where(without)
            among = (
                f" WHERE {resolution_id} IN (SELECT {quote('id')} FROM {resolutions}"
                f" WHERE {condition})"
                if condition
                else ""
            )
            column = quote(column)
            sql = (
                f"SELECT '{kind}', {column}, NULL, COUNT(DISTINCT {resolution_id})"
                f" FROM {quote(link_model._meta.db_table)}{among} GROUP BY {column}"
            )
            return sql, params

        data = self.form.cleaned_data

        def tallied(kind, tally_kind, columns, *without):
            """The same counts summed from the tally's (body, year) cells, when every filter
            but `without` is a body or a year (ResolutionTally); else None."""
            if not set(conditions).difference(without) <= self._TALLIED:
                return None
            parts, params = [f"{quote('kind')} = %s"], [tally_kind]
            if "body" not in without and data.get("body"):
                parts.append(f"{quote('body_id')} IN ({', '.join(['%s'] * len(data['body']))})")
                params += [body.pk for body in data["body"]]
            for name, operator in (("year_from", ">="), ("year_to", "<=")):
                if name not in without and data.get(name) is not None:
                    parts.append(f"{quote('year')} {operator} %s")
                    params.append(data[name])
            second = columns if "," in columns else f"{columns}, NULL"
            sql = (
                f"SELECT '{kind}', {second}, SUM({quote('resolutions')})"
                f" FROM {quote(ResolutionTally._meta.db_table)} WHERE {' AND '.join(parts)}"
                f" GROUP BY {columns} HAVING SUM({quote('resolutions')}) > 0"
            )
            return sql, params

        no_body = not data.get("body")
        no_years = data.get("year_from") is None and data.get("year_to") is None
        body_id, year, linked_id = quote("body_id"), quote("year"), quote("linked_id")
        # COUNT(*), not COUNT(id): with only year and body in play, the (year, body) and
        # (body, year) indexes answer without reading the table (index-only scans).
        if no_body and no_years:
            branches = [
                tallied("cell", "r", f"{body_id}, {year}") or grouped("cell", f"{body_id}, {year}")
            ]
        else:
            branches = [
                tallied("body", "r", body_id, "body") or grouped("body", body_id, "body"),
                tallied("year", "r", year, "year_from", "year_to")
                or grouped("year", year, "year_from", "year_to"),
            ]
        branches += [
            tallied("instrument", "i", linked_id, "instrument")
            or linked("instrument", ResolutionInstrument, "instrument_id", "instrument"),
            tallied("partner", "p", linked_id, "partner")
            or linked("partner", Resolution.partners.through, "partner_id", "partner"),
        ]
        # One statement, one round trip: UNION ALL of the four counts.
        with connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join(sql for sql, _params in branches),
                [param for _sql, params in branches for param in params],
            )
            counted = cursor.fetchall()
        by_id = {"body": {}, "year": {}, "instrument": {}, "partner": {}}
        for kind, key, second, n in counted:
            if kind == "cell":
                by_id["body"][key] = by_id["body"].get(key, 0) + n
                by_id["year"][second] = by_id["year"].get(second, 0) + n
            else:
                by_id[kind][key] = n
        by_body_id, by_year = by_id["body"], by_id["year"]

        def named(counts, name):
            field = self.form.fields[name]
            key = field.to_field_name
            return {getattr(o, key): counts[o.pk] for o in field.objects() if o.pk in counts}

        by_body = named(by_body_id, "body")
        # Every resolution has one body: the matches are the body counts of the chosen bodies
        # (of all of them when none is chosen), and the list needs no COUNT query of its own.
        if no_body:
            self.facet_total = sum(by_body.values())
        else:
            self.facet_total = sum(by_body.get(body.code, 0) for body in data["body"])
        return {
            "body": by_body,
            "year": by_year,
            "instrument": named(by_id["instrument"], "instrument"),
            "partner": named(by_id["partner"], "partner"),
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
