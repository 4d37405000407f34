from django.views.generic import DetailView, ListView

from core.staff import PendingChangeNoticeMixin
from core.twins import JsonTwinMixin
from instruments import twins
from instruments.models import Instrument


class InstrumentListView(ListView):
    queryset = Instrument.public.for_listing()
    template_name = "instruments/instrument_list.html"


class InstrumentDetailView(PendingChangeNoticeMixin, DetailView):
    queryset = Instrument.public.for_detail()
    template_name = "instruments/instrument_detail.html"

    def linked(self):
        """What the page lists beside the instrument, as for_detail() prefetched it: the public
        resolutions linked to it (`links`, newest first), its protocols and the partners
        serving it."""
        return {
            "links": list(self.object.resolution_links.all()),
            "protocols": list(self.object.protocols.all()),
            "partners": list(self.object.partners.all()),
        }

    def get_context_data(self, **kwargs):
        linked = self.linked()
        links = linked["links"]
        return super().get_context_data(
            links=links,
            adoption_links=[link for link in links if link.is_adoption],
            resolution_count=len({link.resolution_id for link in links}),
            linked_data=twins.instrument_ld(self.object, linked, self.request.build_absolute_uri),
            **kwargs,
        )


class InstrumentTwinView(JsonTwinMixin, InstrumentDetailView):
    """/instruments/untoc.json: the page's instrument, as JSON."""

    def twin(self):
        return twins.instrument(self.object, self.linked(), self.request.build_absolute_uri)
