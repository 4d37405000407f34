from django.views.generic import DetailView, ListView

from core.staff import PendingChangeNoticeMixin
from instruments.models import Instrument


class InstrumentListView(ListView):
    queryset = Instrument.public.for_listing()
    template_name = "instruments/instrument_list.html"


class InstrumentDetailView(PendingChangeNoticeMixin, DetailView):
    queryset = Instrument.public.for_detail()
    template_name = "instruments/instrument_detail.html"

    def get_context_data(self, **kwargs):
        links = list(self.object.resolution_links.all())  # public ones: for_detail()
        return super().get_context_data(
            links=links,
            adoption_links=[link for link in links if link.is_adoption],
            resolution_count=len({link.resolution_id for link in links}),
            **kwargs,
        )
