from django.urls import path

from mandates import exports, feeds, views

app_name = "mandates"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("resolutions/", views.ResolutionListView.as_view(), name="resolution-list"),
    path("resolutions/export.<str:fmt>", exports.ResolutionExportView.as_view(), name="export"),
    path("resolutions/feed/", feeds.ResolutionFeed(), name="feed"),
    path(
        "resolutions/<slug:body>/<slug:slug>/",
        views.ResolutionDetailView.as_view(),
        name="resolution-detail",
    ),
    path(
        "resolutions/<slug:body>/<slug:slug>.json",
        views.ResolutionTwinView.as_view(),
        name="resolution-json",
    ),
    path("bodies/", views.BodyListView.as_view(), name="body-list"),
    path("bodies/<slug:slug>/", views.BodyDetailView.as_view(), name="body-detail"),
    path("expert-group/", views.ExpertGroupView.as_view(), name="expert-group"),
    path(
        "expert-group/<slug:slug>/",
        views.ExpertGroupDetailView.as_view(),
        name="expert-group-detail",
    ),
]
