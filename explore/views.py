"""The Explore pages. Each view reads its records through a QuerySet method named for it and
hands the templates data: the layouts of the drawings (mandates/graph.py) are coordinates, the
SVG is drawn by the templates."""

from django.views.generic import TemplateView
from django_filters.views import FilterView

from explore import graph, timeline
from explore.filters import GraphFilter, ParagraphFilter
from explore.listing import ParagraphListing
from instruments.models import Instrument
from mandates.models import Body, ExpertGroupMeeting, Paragraph, Resolution, ResolutionCitation
from mandates.views import BadFilterMixin, FacetedListMixin, to_keys
from partners.models import Partner


class ExploreView(TemplateView):
    template_name = "explore/index.html"


class ParagraphListView(FacetedListMixin, FilterView):
    """What mandates UNODC to do X: operative paragraphs, filtered by whom and what they ask."""

    filterset_class = ParagraphFilter
    listing_class = ParagraphListing
    queryset = Paragraph.public.for_listing()
    paginate_by = 25
    template_name = "explore/paragraph_list.html"


class GraphView(BadFilterMixin, TemplateView):
    """Resolutions, instruments and partners with their typed links, drawn on the server."""

    template_name = "explore/graph.html"

    def get(self, request, *args, **kwargs):
        self.filterset = GraphFilter(request.GET, queryset=Resolution.public.for_graph())
        return to_keys(request, self.filterset) or super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        filterset = self.filterset
        drawing = None
        if filterset.is_valid():
            cap = graph.GRAPH_CAP  # fetch one more than the cap: enough to know it is exceeded
            drawing = graph.citation_graph(filterset.qs[: cap + 1], cap=cap)
        return super().get_context_data(filter=filterset, graph=drawing, **kwargs)


class TimelineView(TemplateView):
    """Every real mandate on one time axis, a row a body, with the expert group meetings."""

    template_name = "explore/timeline.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            timeline=timeline.timeline(
                Resolution.public.for_timeline(),
                ExpertGroupMeeting.public.for_timeline(),
                ResolutionCitation.public.recommendations(),
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

    template_name = "explore/matrix.html"

    def get_context_data(self, **kwargs):
        bodies = list(Body.public.all())
        resolutions = Resolution.public.all()
        coverage = coverage_rows(bodies, resolutions.body_year_counts())
        return super().get_context_data(
            bodies=bodies,
            partner_rows=matrix_rows(
                Partner.public.all(), bodies, resolutions.partner_body_counts()
            ),
            instrument_rows=matrix_rows(
                Instrument.public.core_first(), bodies, resolutions.instrument_body_counts()
            ),
            coverage=coverage,
            gap_years=[year for year, _, total in coverage if not total],
            **kwargs,
        )
