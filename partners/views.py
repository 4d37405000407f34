from django.views.generic import DetailView, ListView

from partners.models import Partner


class PartnerListView(ListView):
    model = Partner


class PartnerDetailView(DetailView):
    model = Partner
