from django.urls import path

from mandates import views

app_name = "mandates"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("resolutions/", views.ResolutionListView.as_view(), name="resolution-list"),
    path(
        "resolutions/<slug:body>/<slug:slug>/",
        views.ResolutionDetailView.as_view(),
        name="resolution-detail",
    ),
    path("bodies/", views.BodyListView.as_view(), name="body-list"),
    path("bodies/<slug:slug>/", views.BodyDetailView.as_view(), name="body-detail"),
    path("expert-group/", views.ExpertGroupRedirectView.as_view(), name="expert-group"),
    path(
        "expert-group/<slug:slug>/",
        views.ExpertGroupDetailView.as_view(),
        name="expert-group-detail",
    ),
    path("open-questions/", views.OpenQuestionListView.as_view(), name="open-questions"),
]
