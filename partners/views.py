from django.views.generic import DetailView, ListView

from core.staff import PendingChangeNoticeMixin
from core.twins import JsonTwinMixin
from partners import twins
from partners.models import Partner


class PartnerListView(ListView):
    queryset = Partner.public.for_listing()
    template_name = "partners/partner_list.html"


class PartnerDetailView(PendingChangeNoticeMixin, DetailView):
    queryset = Partner.public.for_detail()
    template_name = "partners/partner_detail.html"

    def linked(self):
        """What the page lists beside the partner, as for_detail() prefetched it: the public
        resolutions naming it, their paragraphs naming it, its tools and the instruments it
        serves."""
        return {
            "resolutions": list(self.object.resolutions.all()),
            "paragraphs": list(self.object.paragraphs.all()),
            "tools": list(self.object.tools.all()),
            "instruments": list(self.object.instruments.all()),
        }

    def get_context_data(self, **kwargs):
        linked = self.linked()
        return super().get_context_data(
            resolutions=linked["resolutions"],
            paragraphs=linked["paragraphs"],
            linked_data=twins.partner_ld(self.object, linked, self.request.build_absolute_uri),
            **kwargs,
        )


class PartnerTwinView(JsonTwinMixin, PartnerDetailView):
    """/partners/unesco.json: the page's partner, as JSON."""

    def twin(self):
        return twins.partner(self.object, self.linked(), self.request.build_absolute_uri)
