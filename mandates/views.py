import re

from django.db.models import Count
from django.http import Http404
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, ListView, RedirectView, TemplateView
from django_filters.views import FilterView

from config.views import bad_request_page
from instruments.models import Instrument
from mandates import graph
from mandates.filters import ResolutionFilter
from mandates.models import (
    Body,
    ExpertGroup,
    OpenQuestion,
    PageEntry,
    Resolution,
)
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


class FacetedListMixin(BadFilterMixin):
    """A FilterView's list with its facets (FilterSet.cached_facet_counts()), the filters in
    force (each removable alone) and numbered pages. A page number that is not a number is a
    400 too; one past the end a 404, as ListView has it."""

    def get(self, request, *args, **kwargs):
        page = request.GET.get(self.page_kwarg)
        if page and not re.fullmatch(r"[0-9]{1,9}", page):
            reason = _("The page number “%(page)s” is not a number.") % {"page": page[:20]}
            return bad_request_page(request, reason)
        return super().get(request, *args, **kwargs)

    def get_filterset_kwargs(self, filterset_class):
        # Bound even without parameters, so the first visit shows the facet counts too.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset, page = self.filterset, context["page_obj"]
        facets = filterset.cached_facet_counts() if filterset.is_valid() else {}
        context.update(
            facets=facets,
            year_facets=year_facets(facets.get("year", {})),
            selected=filterset.selected_filters(),
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2)
            if page
            else [],
        )
        return context


class ResolutionListView(FacetedListMixin, FilterView):
    filterset_class = ResolutionFilter
    queryset = Resolution.objects.for_list()
    paginate_by = 25
    template_name = "mandates/resolution_list.html"

    def get_context_data(self, **kwargs):
        filterset = self.filterset
        sort = filterset.sort_key
        return super().get_context_data(
            query=filterset.form.cleaned_data.get("q", "") if filterset.is_valid() else "",
            sort=sort,
            sort_label=_("relevance") if sort == "relevance" else ResolutionFilter.SORTS[sort][0],
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
        self.describe_paragraphs(linked["paragraphs"])
        neighbourhood = graph.neighbourhood(self.object, linked)
        return super().get_context_data(
            **linked,
            **self.phrases(self.object, neighbourhood),
            neighbourhood=neighbourhood,
            **kwargs,
        )

    @staticmethod
    def phrases(resolution, neighbourhood):
        """The page's sentences that hold its values: `heading` ("GA resolution 70/76", the
        page's <title>), `kicker` ("General Assembly resolution") and the drawing's `svg_title`
        and `svg_desc`. Translated here for the reason describe_paragraphs() says: as
        {% blocktranslate %}s they were 4% of the page's instructions. The values are
        escaped, the translations not, as blocktranslate does."""
        e = graph.escape
        code, number = e(resolution.body.code), e(resolution.number)
        phrases = {
            "heading": mark_safe(
                _("%(code)s resolution %(number)s") % {"code": code, "number": number}
            ),
            "kicker": mark_safe(_("%(body)s resolution") % {"body": e(resolution.body.name)}),
        }
        if neighbourhood:
            edges = len(neighbourhood.edges)
            description = ngettext(
                "%(n)s typed link to or from this resolution; each record is a link to its page.",
                "%(n)s typed links to or from this resolution; each record is a link to its page.",
                edges,
            )
            phrases["svg_title"] = mark_safe(
                _("The links of %(code)s %(number)s") % {"code": code, "number": number}
            )
            phrases["svg_desc"] = mark_safe(description % {"n": edges})
        return phrases

    @staticmethod
    def describe_paragraphs(paragraphs):
        """Give each paragraph its `heading` ("Paragraph 3") and `tags`, the line naming its
        operative verb, addressees, partners and activities (empty if none).

        Written here rather than with {% blocktranslate %} in the template, which cost more than
        the rest of a paragraph together: the same strings, so the same translations, each
        translated once a page. As blocktranslate does, the values are escaped, not the
        translations (some hold markup); "Partners named:" was a {% translate %}, escaped."""
        e = graph.escape
        heading = _("Paragraph %(number)s")
        verb = _("Operative verb: %(verb)s.")
        addressees = _("Addressed to: %(names)s.")
        partners = e(_("Partners named:"))
        activities = _("Activities: %(names)s.")
        for paragraph in paragraphs:
            paragraph.heading = mark_safe(heading % {"number": paragraph.number})
            tags = []
            if paragraph.verb:
                tags.append(verb % {"verb": e(paragraph.verb_label)})
            if paragraph.addressee_names:
                tags.append(addressees % {"names": e(", ".join(paragraph.addressee_names))})
            if paragraph.named_partners:
                links = ", ".join(
                    f'<a href="{e(partner.get_absolute_url())}">{e(partner.acronym)}</a>'
                    for partner in paragraph.named_partners
                )
                tags.append(f"{partners} {links}.")
            if paragraph.activity_names:
                tags.append(activities % {"names": e(", ".join(paragraph.activity_names))})
            paragraph.tags = mark_safe(" ".join(tags))


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
            raise Http404(_("No expert group is recorded."))
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
