from django.views.generic import DetailView, ListView

from core.staff import PendingChangeNoticeMixin
from partners.models import Partner


class PartnerListView(ListView):
    queryset = Partner.public.for_listing()
    template_name = "partners/partner_list.html"


class PartnerDetailView(PendingChangeNoticeMixin, DetailView):
    queryset = Partner.public.for_detail()
    template_name = "partners/partner_detail.html"

    def get_context_data(self, **kwargs):
        # The public resolutions naming it and their paragraphs: for_detail() prefetched them.
        return super().get_context_data(
            resolutions=list(self.object.resolutions.all()),
            paragraphs=list(self.object.paragraphs.all()),
            **kwargs,
        )
