"""What a filtered list page shows about its filters, beside the rows: the list's title, the
filters in force (each removable alone), the facets' checkboxes with their counts and links,
the nearest wider list when nothing matches, and an export's file name.

A Listing reads a bound FilterSet (mandates/filters.py), which declares the filters, checks
their values and counts the facets; this module words and links what it found. The pages'
templates read a Listing as `filter`, so it also hands them the FilterSet's form and errors.
explore/listing.py words the paragraph list the same way."""

from dataclasses import dataclass
from functools import cached_property

from django.utils.text import slugify
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from core.text import joined
from mandates.models import Resolution


@dataclass(frozen=True)
class FacetChoice:
    """One checkbox of a facet, as data for the facet_choice macro of
    templates/includes/macros.html."""

    value: str
    label: str
    id: str
    selected: bool
    count: int | None  # the rows ticking it would keep; None when nothing was counted
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
class Tag:
    """A row's tag for one of a facet's choices (an instrument, a partner): where it leads
    (`link`, "?query": the list with this choice alone ticked, the other filters kept) and its
    title."""

    link: str
    title: str


@dataclass(frozen=True)
class Facet:
    """A filter's checkboxes with their counts, as data for the facet_fieldset macro of
    templates/includes/macros.html; `query`, the page's parameters, is what the rows' tags
    link from (without the page number)."""

    name: str
    legend: str
    choices: list
    errors: list
    query: object

    @cached_property
    def nowhere(self):
        """The choices that would keep no row."""
        return [choice for choice in self.choices if not choice.leads_somewhere]

    @cached_property
    def tags(self):
        """{value: Tag}: each choice's tag, as the rows naming it draw it. Worked out once a
        page, and only for the facets whose tags the page draws: the same few instruments and
        partners come back row after row."""
        query = self.query.copy()
        query.pop("page", None)
        tags = {}
        for choice in self.choices:
            query.setlist(self.name, [choice.value])
            title = gettext("Filter by %(name)s") % {"name": choice.label}
            tags[choice.value] = Tag(f"?{query.urlencode()}", title)
        return tags


class Listing:
    """A list page's words and links for the filters of `filterset` (bound; its values valid
    or not: with errors, nothing is in force and nothing was counted). A subclass says what
    each filter in force is called (chosen()) and which facets the page draws (facets())."""

    def __init__(self, filterset):
        self.filterset = filterset

    # The templates read the FilterSet's form and errors through the page's `filter`.

    @property
    def form(self):
        return self.filterset.form

    @property
    def errors(self):
        return self.filterset.errors

    @property
    def data(self):
        return self.filterset.data

    def is_valid(self):
        return self.filterset.is_valid()

    # --- the filters in force

    def chosen(self):
        """(name, value, label) for each value in force."""
        raise NotImplementedError

    def chosen_records(self, *names):
        """(name, value, label) for each record chosen in the model-choice filters `names`."""
        for name in names:
            field = self.filterset.filters[name].field
            for obj in self.form.cleaned_data.get(name) or []:
                yield name, str(getattr(obj, field.to_field_name)), field.label_from_instance(obj)

    def chosen_years(self):
        data = self.form.cleaned_data
        if data.get("year_from") is not None:
            label = _("From %(year)s") % {"year": data["year_from"]}
            yield "year_from", str(data["year_from"]), label
        if data.get("year_to") is not None:
            yield "year_to", str(data["year_to"]), _("To %(year)s") % {"year": data["year_to"]}

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

    # --- the facets

    def facets(self, counts):
        """{name: Facet}: the page's checkbox facets, with `counts` (None: not counted)."""
        raise NotImplementedError

    def facet(self, name, counts, legend=None, title=None, label=str):
        """Filter `name`'s checkboxes as data: each choice with its value, label, the count in
        `counts` ({facet: {value: n}}, None if not counted) and whether it is ticked.
        `title(record)` spells out a record's abbreviated label; `label` shapes every label."""
        bound = self.form[name]
        ticked = {str(value) for value in bound.value() or []}
        counted = None if counts is None else counts.get(name, {})
        choices = []
        for index, (value, text) in enumerate(bound.field.choices):
            record = getattr(value, "instance", None)  # a model choice's record
            value = str(value)
            choices.append(
                FacetChoice(
                    value=value,
                    label=label(str(text)),
                    id=f"{bound.auto_id}_{index}",
                    selected=value in ticked,
                    count=None if counted is None else counted.get(value, 0),
                    title=title(record) if title and record is not None else "",
                )
            )
        return Facet(name, str(legend or bound.label), choices, bound.errors, self.data)

    # --- no result: the nearest wider list that has some

    def widenings(self):
        """[Widening] one step wider than these filters, not yet counted: each filter in force
        removed on its own (all its values; the FilterSet's FILTER_GROUPS go together). A
        subclass adds its own kinds."""
        filterset = self.filterset
        data, chosen = self.form.cleaned_data, list(self.chosen())
        groups = [*filterset.FILTER_GROUPS]
        grouped = {name for group in groups for name in group}
        groups += [(name,) for name in filterset.filters if name not in grouped and name != "sort"]
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
            count = self.filterset.count_with(step.values)
            if count and (best is None or count < best.count):
                best = step
                best.count = count
        if best is not None:
            best.query.pop("page", None)
        return best


class ResolutionListing(Listing):
    """The resolution list's (and its exports' and feed's) words for a ResolutionFilter."""

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
        return {
            "body": self.facet("body", counts, title=lambda body: body.display_name),
            "instrument": self.facet("instrument", counts),
            "partner": self.facet("partner", counts, legend=_("Partner named")),
            "relevance": self.facet("relevance", counts),
        }
