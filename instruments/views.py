from django.views.generic import DetailView, ListView

from core.models import Status
from instruments.models import Instrument


class InstrumentListView(ListView):
    queryset = Instrument.objects.for_listing()
    template_name = "instruments/instrument_list.html"


class InstrumentDetailView(DetailView):
    queryset = Instrument.objects.for_detail()
    template_name = "instruments/instrument_detail.html"

    def get_context_data(self, **kwargs):
        links = list(
            self.object.resolution_links.filter(resolution__status=Status.PUBLISHED)
            .select_related("resolution__body")
            .order_by("-resolution__year", "relation")
        )
        return super().get_context_data(
            links=links,
            adoption_links=[link for link in links if link.is_adoption],
            resolution_count=len({link.resolution_id for link in links}),
            **kwargs,
        )
