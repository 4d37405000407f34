from django.views.generic import DetailView, ListView

from instruments.models import Instrument


class InstrumentListView(ListView):
    model = Instrument


class InstrumentDetailView(DetailView):
    model = Instrument
