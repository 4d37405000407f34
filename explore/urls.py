from django.urls import path

from explore import views

app_name = "explore"
urlpatterns = [
    path("explore/", views.ExploreView.as_view(), name="index"),
    path("paragraphs/", views.ParagraphListView.as_view(), name="paragraph-list"),
    path("graph/", views.GraphView.as_view(), name="graph"),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("matrix/", views.MatrixView.as_view(), name="matrix"),
]
