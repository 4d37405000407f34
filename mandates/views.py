from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, RedirectView, TemplateView
from django_filters.views import FilterView

from instruments.models import Instrument
from mandates.filters import ResolutionFilter
from mandates.models import Body, ExpertGroup, OpenQuestion, PageEntry, Resolution
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
            **kwargs,
        )


class BadFilterMixin:
    """Filter values we do not understand get a 400 with the reasons, never a silent drop."""

    def render_to_response(self, context, **kwargs):
        if self.filterset.is_bound and not self.filterset.is_valid():
            kwargs.setdefault("status", 400)
        return super().render_to_response(context, **kwargs)


class ResolutionListView(BadFilterMixin, FilterView):
    filterset_class = ResolutionFilter
    queryset = Resolution.objects.for_listing()
    paginate_by = 25
    template_name = "mandates/resolution_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        valid = filterset.is_valid()
        facets = filterset.facet_counts() if valid else {}
        sort = filterset.sort_key
        page = context["page_obj"]
        context.update(
            facets=facets,
            year_facets=year_facets(facets.get("year", {})),
            selected=filterset.selected_filters(),
            query=filterset.form.cleaned_data.get("q", "") if valid else "",
            sort=sort,
            sort_label="relevance" if sort == "relevance" else ResolutionFilter.SORTS[sort][0],
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2),
        )
        return context


def year_facets(counts, max_rows=15):
    """(label, year_from, year_to, n) rows, newest first: single years, or decades if many."""
    if len(counts) <= max_rows:
        return [(str(y), y, y, n) for y, n in sorted(counts.items(), reverse=True)]
    decades = {}
    for year, n in counts.items():
        decades[year // 10 * 10] = decades.get(year // 10 * 10, 0) + n
    return [(f"{d}s", d, d + 9, n) for d, n in sorted(decades.items(), reverse=True)]


class ResolutionDetailView(DetailView):
    template_name = "mandates/resolution_detail.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Resolution.objects.for_detail(),
            body__slug=self.kwargs["body"],
            slug=self.kwargs["slug"],
        )


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


class ExpertGroupRedirectView(RedirectView):
    """/expert-group/ leads to the group (there is one today); a list if there are several."""

    def get_redirect_url(self, *args, **kwargs):
        group = ExpertGroup.objects.order_by("pk").first()
        if group is None:
            raise Http404("No expert group is recorded.")
        return group.get_absolute_url()


class ExpertGroupDetailView(DetailView):
    queryset = ExpertGroup.objects.select_related("reports_to")
    template_name = "mandates/expertgroup_detail.html"

    def get_context_data(self, **kwargs):
        meetings = self.object.meetings.prefetch_related("mandated_by__body")
        return super().get_context_data(meetings=meetings, **kwargs)


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
