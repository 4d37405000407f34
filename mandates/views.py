from django.views.generic import DetailView, ListView, RedirectView, TemplateView

from mandates.models import Body, ExpertGroup, OpenQuestion, Resolution


class HomeView(TemplateView):
    template_name = "home.html"


class ResolutionListView(ListView):
    model = Resolution


class ResolutionDetailView(DetailView):
    model = Resolution


class BodyListView(ListView):
    model = Body


class BodyDetailView(DetailView):
    model = Body


class ExpertGroupRedirectView(RedirectView):
    pass


class ExpertGroupDetailView(DetailView):
    model = ExpertGroup


class OpenQuestionListView(ListView):
    model = OpenQuestion
