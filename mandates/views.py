import functools

from django.db.models import Count
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from instruments.models import Instrument
from mandates import graph
from mandates.filters import GraphFilter, ParagraphFilter, ResolutionFilter
from mandates.models import (
    Body,
    ExpertGroup,
    ExpertGroupMeeting,
    OpenQuestion,
    PageEntry,
    Paragraph,
    Resolution,
    ResolutionCitation,
)
from mandates.routes import slug_url_maker
from partners.models import Partner


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        bodies = Body.objects.with_counts()
        return super().get_context_data(
            bodies=bodies,
            resolution_count=sum(b.resolution_count for b in bodies),
            instruments=Instrument.objects.core(),
            instrument_count=Instrument.objects.count(),
            partners=Partner.objects.all(),
            years=Resolution.objects.year_counts(),
            recent=Resolution.objects.most_recent(6),
            relevance=Resolution.objects.relevance_counts(),
            brief=Paragraph.objects.mandate_in_brief(),
            **kwargs,
        )


class BadFilterMixin:
    """Filter values we do not understand get a 400 with the reasons, never a silent drop."""

    def render_to_response(self, context, **kwargs):
        if self.filterset.is_bound and not self.filterset.is_valid():
            kwargs.setdefault("status", 400)
        return super().render_to_response(context, **kwargs)


class FilteredRows:
    """The resolutions a valid ResolutionFilter lets through, as the paginator reads them: its
    count() is the facets' total (ResolutionFilter.facet_counts() runs first), a page [a:b]
    comes from Resolution.list_rows(), with the filters the facets compiled. Neither the
    filtered queryset nor its page's instances are built: that cost more than the database
    took to answer. A keyword search's matches are read as a queryset (ordered by relevance,
    an annotation)."""

    ordered = True  # for the paginator, which warns about unordered lists

    def __init__(self, filterset):
        self.filterset = filterset

    def count(self):
        if self.filterset.facet_total is None:
            self.filterset.facet_counts()
        return self.filterset.facet_total

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, int):
            return self[index : index + 1][0]
        assert index.step is None and (index.start or 0) >= 0 and index.stop is not None, index
        start = index.start or 0
        return self._rows(limit=index.stop - start, offset=start)

    def __iter__(self):
        return iter(self._rows())

    def _rows(self, limit=None, offset=0):
        ordering = tuple(ResolutionFilter.SORTS[self.filterset.sort_key][1])
        return Resolution.list_rows(self.filterset.condition(), ordering, limit, offset)


class ResolutionListView(BadFilterMixin, FilterView):
    filterset_class = ResolutionFilter
    queryset = Resolution.objects.for_list_page()
    paginate_by = 25
    template_name = "mandates/resolution_list.html"

    def get(self, request, *args, **kwargs):
        """FilterView.get(), but for the rows: FilteredRows, unless it is a keyword search."""
        self.filterset = self.get_filterset(self.get_filterset_class())
        if not self.filterset.is_valid():
            self.object_list = self.filterset.queryset.none()
        elif self.filterset.sort_key == "relevance":
            self.object_list = self.filterset.qs
        else:
            self.object_list = FilteredRows(self.filterset)
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        filterset = self.filterset
        valid = filterset.is_valid()
        facets = filterset.facet_counts() if valid else {}  # first: they may give the count
        context = super().get_context_data(**kwargs)
        sort = filterset.sort_key
        page = context["page_obj"]
        # The links and choices are built here, not by template tags and form widgets: the
        # page draws some 150 of them, and this is most of what it costs when not cached.
        context.update(
            facets=facets,
            facet_choices={
                "body": filterset.facet_choices("body", facets.get("body", {}), title="name"),
                "instrument": filterset.facet_choices("instrument", facets.get("instrument", {})),
                "partner": filterset.facet_choices("partner", facets.get("partner", {})),
            },
            year_facets=year_facets(facets.get("year", {}), filterset),
            selected=filterset.selected_filters(),
            query=filterset.form.cleaned_data.get("q", "") if valid else "",
            sort=sort,
            sort_label=_("relevance") if sort == "relevance" else ResolutionFilter.SORTS[sort][0],
            sort_choices=[
                (key, label, key in filterset.raw_values("sort"))
                for key, (label, _ordering) in ResolutionFilter.SORTS.items()
            ],
            filter_query=filterset.query_string(page=None),
            page_range=page_links(page, filterset),
        )
        add_row_links(context["object_list"], filterset)
        return context

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        if self.filterset.facet_total is not None:
            paginator.count = self.filterset.facet_total  # counted with the facets already
        return paginator


def add_row_links(resolutions, filterset):
    """Give each listed resolution what its row links to: `url`, `paragraph_links`
    ([(href, number)]) and `filter_links` ([(href, title, label)], one per instrument and
    partner it names, each narrowing the list to it). The record URLs from one pattern
    (slug_url_maker()), one query string per distinct instrument or partner on the page, one
    statement in all (page_links())."""
    links = Resolution.objects.page_links([r.pk for r in resolutions])
    narrowing = {}

    def narrow(name, slug, label):
        if (name, slug) not in narrowing:
            href = filterset.query_string(**{name: slug, "page": None})
            narrowing[name, slug] = (href, _("Filter by %(name)s") % {"name": label}, label)
        return narrowing[name, slug]

    short_date = pgettext("short date: 12 Feb 2015", "j M Y")
    language = get_language()
    url = slug_url_maker("mandates:resolution-detail", 2)  # = get_absolute_url()
    paragraphs_label = {}
    for r in resolutions:
        r.url = url(r.body.slug, r.slug)
        r.adopted_label = _date_label(r.adopted_on, short_date, language) if r.adopted_on else ""
        mine = links[r.pk]
        r.paragraph_links = [(f"{r.url}#para-{n}", n) for n in mine["paragraphs"]]
        n = len(r.paragraph_links)
        if n not in paragraphs_label:
            paragraphs_label[n] = ngettext("Paragraph", "Paragraphs", n)
        r.paragraphs_label = paragraphs_label[n]
        r.filter_links = [narrow("instrument", *pair) for pair in mine["instruments"]]
        r.filter_links += [narrow("partner", *pair) for pair in mine["partners"]]


@functools.lru_cache(maxsize=4096)
def _date_label(day, date_format_string, language):
    """date_format(), kept: a page shows two dozen dates, each costing ~40 µs to format, and
    the same few thousand days recur. The language is part of the key (month names)."""
    return date_format(day, date_format_string)


def page_links(page, filterset):
    """[(n, href)] for the numbered pagination, with None for "..." (elided pages)."""
    ellipsis = page.paginator.ELLIPSIS
    return [
        (None, None) if n == ellipsis else (n, filterset.query_string(page=n))
        for n in page.paginator.get_elided_page_range(page.number, on_each_side=2)
    ]


def year_facets(counts, filterset, max_rows=15):
    """(label, href, n) rows, newest first: single years, or decades if many."""
    if len(counts) <= max_rows:
        rows = [(str(y), y, y, n) for y, n in sorted(counts.items(), reverse=True)]
    else:
        decades = {}
        for year, n in counts.items():
            decades[year // 10 * 10] = decades.get(year // 10 * 10, 0) + n
        rows = [
            # Translators: a decade, as in "the 2010s".
            (_("%(decade)ss") % {"decade": d}, d, d + 9, n)
            for d, n in sorted(decades.items(), reverse=True)
        ]
    return [
        (label, filterset.query_string(year_from=y_from, year_to=y_to, page=None), n)
        for label, y_from, y_to, n in rows
    ]


class ResolutionDetailView(DetailView):
    template_name = "mandates/resolution_detail.html"

    def get_object(self, queryset=None):
        resolution = Resolution.for_page(self.kwargs["body"], self.kwargs["slug"])
        if resolution is None:
            raise Http404("No Resolution matches the given query.")
        return resolution

    def get_context_data(self, **kwargs):
        # The lists and the drawing read the same linked records: no further query.
        linked = self.object.linked()
        neighbourhood = graph.neighbourhood(self.object, linked)
        return super().get_context_data(
            **linked,
            **self.phrases(self.object, neighbourhood),
            neighbourhood=neighbourhood,
            **kwargs,
        )

    @staticmethod
    def phrases(resolution, neighbourhood):
        """The page's sentences that hold its values: `heading` ("GA resolution 70/76", or
        without a number "GA resolution of 13 December 2018 (number not established)", the
        page's <h1> and <title>), `kicker` ("General Assembly resolution") and the drawing's
        `svg_title` and `svg_desc`. Plain text: the template escapes them."""
        body, number = resolution.body, resolution.number
        code = body.display_code
        if number and resolution.kind == Resolution.Kind.RESOLUTION:
            heading = _("%(code)s resolution %(number)s") % {"code": code, "number": number}
        else:  # "SC decision 2009/246", "GA resolution of 13 December 2018 (number not ...)"
            heading = _("%(code)s %(designation)s") % {
                "code": code,
                "designation": resolution.designation,
            }
        if resolution.kind == Resolution.Kind.DECISION:
            kicker = _("%(body)s decision") % {"body": body.display_name}
        else:
            kicker = _("%(body)s resolution") % {"body": body.display_name}
        phrases = {"heading": heading, "kicker": kicker}
        if neighbourhood:
            edges = len(neighbourhood.edges)
            description = ngettext(
                "%(n)s typed link to or from this resolution; each record is a link to its page.",
                "%(n)s typed links to or from this resolution; each record is a link to its page.",
                edges,
            )
            phrases["svg_title"] = _("The links of %(code)s %(number)s") % {
                "code": code,
                "number": number or resolution.year,
            }
            phrases["svg_desc"] = description % {"n": edges}
        return phrases


class BodyListView(ListView):
    queryset = Body.objects.with_counts().select_related("parent")
    template_name = "mandates/body_list.html"


class BodyDetailView(DetailView):
    queryset = Body.objects.select_related("parent").prefetch_related("children")
    template_name = "mandates/body_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            resolutions=self.object.resolutions.select_related("body").order_by(
                *Resolution._meta.ordering
            ),
            **kwargs,
        )


class ExpertGroupDetailView(DetailView):
    queryset = ExpertGroup.objects.select_related("reports_to")
    template_name = "mandates/expertgroup_detail.html"

    def get_context_data(self, **kwargs):
        meetings = self.object.meetings.prefetch_related("mandated_by__body")
        return super().get_context_data(meetings=meetings, **kwargs)


class ExpertGroupView(ExpertGroupDetailView):
    """/expert-group/, the header's link: the group's page itself (there is one today), not a
    redirect to it; its canonical address is the group's own."""

    def get_object(self, queryset=None):
        group = (queryset or self.get_queryset()).order_by("pk").first()
        if group is None:
            raise Http404(_("No expert group is recorded."))
        return group

    def get_context_data(self, **kwargs):
        canonical = self.request.build_absolute_uri(self.object.get_absolute_url())
        return super().get_context_data(canonical_url=canonical, **kwargs)


class AboutView(TemplateView):
    template_name = "about.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            entries=PageEntry.objects.select_related("resolution__body").prefetch_related(
                "open_questions"
            ),
            questions=OpenQuestion.objects.annotate(n=Count("resolutions")).prefetch_related(
                "resolutions__body", "instruments"
            ),
            **kwargs,
        )


# --- Explore: paragraphs, graph, timeline, matrix ------------------------------------------------


class ExploreView(TemplateView):
    template_name = "explore.html"


class ParagraphListView(BadFilterMixin, FilterView):
    """What mandates UNODC to do X: operative paragraphs, filtered by whom and what they ask."""

    filterset_class = ParagraphFilter
    queryset = Paragraph.objects.for_listing()
    paginate_by = 25
    template_name = "mandates/paragraph_list.html"

    def get_filterset_kwargs(self, filterset_class):
        # Bound even without parameters, so the first visit shows the facet counts too.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        facets = filterset.facet_counts() if filterset.is_valid() else {}
        page = context["page_obj"]
        context.update(
            facets=facets,
            year_facets=year_facets(facets.get("year", {}), filterset),
            selected=filterset.selected_filters(),
            page_range=page_links(page, filterset),
        )
        return context


class GraphView(BadFilterMixin, TemplateView):
    """Resolutions, instruments and partners with their typed links, drawn on the server."""

    template_name = "mandates/graph.html"

    def get(self, request, *args, **kwargs):
        self.filterset = GraphFilter(request.GET, queryset=Resolution.objects.for_graph())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        filterset = self.filterset
        drawing = None
        if filterset.is_valid():
            cap = graph.GRAPH_CAP  # fetch one more than the cap: enough to know it is exceeded
            drawing = graph.citation_graph(filterset.qs[: cap + 1], cap=cap)
        return super().get_context_data(filter=filterset, graph=drawing, **kwargs)


class TimelineView(TemplateView):
    """Every real mandate on one time axis, a row a body, with the expert group meetings."""

    template_name = "mandates/timeline.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            timeline=graph.timeline(
                Resolution.objects.for_timeline(),
                ExpertGroupMeeting.objects.for_timeline(),
                ResolutionCitation.objects.recommendations(),
            ),
            **kwargs,
        )


def matrix_rows(things, columns, counts):
    """[(thing, [(column, n)], total)]: one table row a thing, one cell a column."""
    rows = []
    for thing in things:
        cells = [(column, counts.get((thing.slug, column.code), 0)) for column in columns]
        rows.append((thing, cells, sum(n for _, n in cells)))
    return rows


def coverage_rows(bodies, counts):
    """[(year, [(body, n)], total)], newest first, every year from the first to the last."""
    years = [year for _, year in counts]
    if not years:
        return []
    rows = []
    for year in range(max(years), min(years) - 1, -1):
        cells = [(body, counts.get((body.code, year), 0)) for body in bodies]
        rows.append((year, cells, sum(n for _, n in cells)))
    return rows


class MatrixView(TemplateView):
    """Partners and instruments against bodies, and the years each body gave a new mandate.

    Counts include every resolution the list shows, so a cell's number is the length of the
    list it links to.
    """

    template_name = "mandates/matrix.html"

    def get_context_data(self, **kwargs):
        bodies = list(Body.objects.all())
        resolutions = Resolution.objects.all()
        coverage = coverage_rows(bodies, resolutions.body_year_counts())
        return super().get_context_data(
            bodies=bodies,
            partner_rows=matrix_rows(
                Partner.objects.all(), bodies, resolutions.partner_body_counts()
            ),
            instrument_rows=matrix_rows(
                Instrument.objects.core_first(), bodies, resolutions.instrument_body_counts()
            ),
            coverage=coverage,
            gap_years=[year for year, _, total in coverage if not total],
            **kwargs,
        )
