import re
from functools import cached_property

from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from core.errors import bad_request_page
from core.staff import PendingChangeNoticeMixin, is_staff
from core.twins import JsonTwinMixin
from instruments.models import Instrument
from mandates import graph, twins
from mandates.filters import ResolutionFilter
from mandates.listing import ResolutionListing
from mandates.models import (
    Body,
    ExpertGroup,
    OpenQuestion,
    PageEntry,
    Paragraph,
    Resolution,
)
from partners.models import Partner


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        # The counts are the unfiltered list's facets, kept per data version: each link's
        # count is the length of the list it leads to. Links to a list are offered only where
        # the list is not empty (no dead end).
        unfiltered = ResolutionFilter(
            QueryDict(), queryset=Resolution.public.for_list(), request=self.request
        )
        counts = unfiltered.cached_facet_counts()
        return super().get_context_data(
            bodies=Body.public.all(),
            body_counts=counts["body"],
            resolution_count=sum(counts["body"].values()),
            instruments=Instrument.public.core(),
            instrument_count=Instrument.public.count(),
            partners=Partner.public.all(),
            partner_counts=counts["partner"],
            instrument_counts=counts["instrument"],
            years=sorted(counts["year"].items(), reverse=True),
            recent=Resolution.public.most_recent(6),
            relevance=counts["relevance"],
            brief=Paragraph.public.mandate_in_brief(),
            **kwargs,
        )


def to_keys(request, filterset):
    """A redirect to this page with the filters' keys, if the address named a value by one of
    its aliases (?body=AG, the French code, is ?body=GA): one address for one list, and every
    link on the page carries the keys. None otherwise."""
    if filterset.is_valid() and filterset.renamed:
        return HttpResponseRedirect(f"{request.path}?{filterset.data.urlencode()}")
    return None


class BadFilterMixin:
    """Filter values we do not understand get a 400 with the reasons, never a silent drop."""

    def render_to_response(self, context, **kwargs):
        if self.filterset.is_bound and not self.filterset.is_valid():
            kwargs.setdefault("status", 400)
        return super().render_to_response(context, **kwargs)


class FacetedListMixin(BadFilterMixin):
    """A FilterView's list with its facets (FilterSet.cached_facet_counts()), the filters in
    force (each removable alone) and numbered pages; when nothing matches, `wider`: the
    nearest wider list that has results (Listing.nearest_wider()). A page number that is not
    a number is a 400 too; one past the end a 404, as ListView has it.

    `listing_class` (mandates/listing.py) words the filters for the page; the templates read
    it as `filter` (its title, and the FilterSet's form and errors)."""

    listing_class = None

    def get(self, request, *args, **kwargs):
        page = request.GET.get(self.page_kwarg)
        if page and not re.fullmatch(r"[0-9]{1,9}", page):
            reason = _("The page number “%(page)s” is not a number.") % {"page": page[:20]}
            return bad_request_page(request, reason)
        self.filterset = self.get_filterset(self.get_filterset_class())
        return to_keys(request, self.filterset) or super().get(request, *args, **kwargs)

    def get_filterset(self, filterset_class):
        # Built once, by get() above, before FilterView.get() asks for it.
        return getattr(self, "filterset", None) or super().get_filterset(filterset_class)

    def get_filterset_kwargs(self, filterset_class):
        # Bound even without parameters, so the first visit shows the facet counts too.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}

    @cached_property
    def facet_counts(self):
        """The filters' facet counts (FilterSet.cached_facet_counts()), read once a request."""
        return self.filterset.cached_facet_counts()

    def get_paginator(self, queryset, per_page, **kwargs):
        # The list's length, where its facet counts (read for the page anyway) give it.
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        counts = self.facet_counts
        length = None if counts is None else self.filterset.length_from_facets(counts)
        if length is not None:
            paginator.count = length  # Paginator.count: a cached_property, counted once
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset, page = self.filterset, context["page_obj"]
        listing = self.listing_class(filterset)
        facets = self.facet_counts
        empty = filterset.is_valid() and not (page and page.paginator.count)
        context.update(
            filter=listing,
            wider=listing.nearest_wider() if empty else None,
            facets=facets or {},
            facet_lists=listing.facets(facets),
            year_facets=year_facets(facets["year"] if facets else {}),
            selected=listing.selected_filters(),
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2)
            if page
            else [],
        )
        return context


class ResolutionListView(FacetedListMixin, FilterView):
    filterset_class = ResolutionFilter
    listing_class = ResolutionListing
    queryset = Resolution.public.for_list_page()
    paginate_by = 25
    template_name = "mandates/resolution_list.html"

    @cached_property
    def query(self):
        """The keywords searched for, "" when none (or the filters are invalid)."""
        filterset = self.filterset
        return filterset.form.cleaned_data.get("q", "") if filterset.is_valid() else ""

    def paginate_queryset(self, queryset, page_size):
        # Searching, the page's rows come with what the database matched, marked.
        if self.query:
            queryset = queryset.marked(self.query)
        return super().paginate_queryset(queryset, page_size)

    def get_context_data(self, **kwargs):
        sort = self.filterset.sort_key
        return super().get_context_data(
            query=self.query,
            sort=sort,
            sort_label=ResolutionFilter.SORTS[sort][0],
            **kwargs,
        )


def year_facets(counts, max_rows=15):
    """(label, year_from, year_to, n) rows, newest first: single years, or decades if many."""
    if len(counts) <= max_rows:
        return [(str(y), y, y, n) for y, n in sorted(counts.items(), reverse=True)]
    decades = {}
    for year, n in counts.items():
        decades[year // 10 * 10] = decades.get(year // 10 * 10, 0) + n
    return [
        # Translators: a decade, as in "the 2010s".
        (_("%(decade)ss") % {"decade": d}, d, d + 9, n)
        for d, n in sorted(decades.items(), reverse=True)
    ]


class ResolutionDetailView(PendingChangeNoticeMixin, DetailView):
    template_name = "mandates/resolution_detail.html"
    # Built once, as a generic view's `queryset` is, and cloned by each request: its flags' EXISTS
    # subqueries cost more to build than the row costs to read.
    queryset = Resolution.public.for_detail()

    def get_queryset(self):
        # Drafts: staff preview them (with a banner); to everyone else they do not exist.
        if is_staff(self.request):
            return Resolution.objects.for_detail()
        return super().get_queryset()

    def get_object(self, queryset=None):
        return get_object_or_404(
            self.get_queryset(), body__slug=self.kwargs["body"], slug=self.kwargs["slug"]
        )

    def get_context_data(self, **kwargs):
        # The lists and the drawing read the same linked records: no further query.
        linked = self.object.linked()
        neighbourhood = graph.neighbourhood(self.object, linked)
        absolute = self.request.build_absolute_uri
        return super().get_context_data(
            **linked,
            linked_data=twins.resolution_ld(self.object, linked, absolute),
            page_url=absolute(self.object.get_absolute_url()),
            official_url=self.object.official_text_url() or "",
            **self.phrases(self.object, neighbourhood),
            neighbourhood=neighbourhood,
            **kwargs,
        )

    @staticmethod
    def phrases(resolution, neighbourhood):
        """The page's sentences that hold its values: `heading` (its name: "GA resolution
        70/76", or without a number "GA resolution of 13 December 2018"; the page's <h1> and
        <title>), `kicker` ("General Assembly resolution") and the drawing's `svg_title` and
        `svg_desc`. Plain text: the template escapes them."""
        body = resolution.body
        if resolution.kind == Resolution.Kind.DECISION:
            kicker = _("%(body)s decision") % {"body": body.display_name}
        else:
            kicker = _("%(body)s resolution") % {"body": body.display_name}
        phrases = {"heading": capfirst(resolution.name), "kicker": kicker}
        if neighbourhood:
            edges = len(neighbourhood.edges)
            description = ngettext(
                "%(n)s typed link to or from this resolution; each record is a link to its page.",
                "%(n)s typed links to or from this resolution; each record is a link to its page.",
                edges,
            )
            phrases["svg_title"] = _("The links of %(name)s") % {"name": resolution.short_name}
            phrases["svg_desc"] = description % {"n": edges}
        return phrases


class ResolutionTwinView(JsonTwinMixin, ResolutionDetailView):
    """/resolutions/sc/2199-2015.json: the record page's resolution, as JSON."""

    def twin(self):
        return twins.resolution(self.object, self.object.linked(), self.request.build_absolute_uri)


class BodyListView(ListView):
    queryset = Body.public.with_counts().select_related("parent")
    template_name = "mandates/body_list.html"


class BodyDetailView(PendingChangeNoticeMixin, DetailView):
    queryset = Body.public.for_detail()
    template_name = "mandates/body_detail.html"

    def get_context_data(self, **kwargs):
        # Its public resolutions, newest first: for_detail() prefetched them.
        return super().get_context_data(resolutions=list(self.object.resolutions.all()), **kwargs)


class ExpertGroupDetailView(PendingChangeNoticeMixin, DetailView):
    queryset = ExpertGroup.public.for_detail()
    template_name = "mandates/expertgroup_detail.html"

    def get_context_data(self, **kwargs):
        # Its meetings, each with the public resolutions that mandated it (for_detail()).
        return super().get_context_data(meetings=list(self.object.meetings.all()), **kwargs)


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
            entries=PageEntry.public.for_about(),
            questions=OpenQuestion.public.for_about(),
            **kwargs,
        )
