from django.views.generic import DetailView, ListView

from core.twins import JsonTwinMixin
from partners import twins
from partners.models import Partner


class PartnerListView(ListView):
    queryset = Partner.objects.for_listing()
    template_name = "partners/partner_list.html"


class PartnerDetailView(DetailView):
    queryset = Partner.objects.for_detail()
    template_name = "partners/partner_detail.html"

    def linked(self):
        """What the page lists beside the partner: the published resolutions naming it, the
        paragraphs naming it, its tools and the instruments it serves."""
        return {
            "resolutions": list(
                self.object.resolutions.published().select_related("body").order_by("-year")
            ),
            "paragraphs": list(
                self.object.paragraphs.published().select_related("resolution__body")
            ),
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
