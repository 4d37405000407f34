from django.views.generic import DetailView, ListView

from partners.models import Partner


class PartnerListView(ListView):
    queryset = Partner.objects.for_listing()
    template_name = "partners/partner_list.html"


class PartnerDetailView(DetailView):
    queryset = Partner.objects.for_detail()
    template_name = "partners/partner_detail.html"

    def get_context_data(self, **kwargs):
        resolutions = self.object.resolutions.published().select_related("body").order_by("-year")
        paragraphs = self.object.paragraphs.select_related("resolution__body")
        return super().get_context_data(resolutions=resolutions, paragraphs=paragraphs, **kwargs)
