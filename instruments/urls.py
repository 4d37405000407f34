from django.urls import path

from instruments import views

app_name = "instruments"
urlpatterns = [
    path("", views.InstrumentListView.as_view(), name="list"),
    path("<slug:slug>/", views.InstrumentDetailView.as_view(), name="detail"),
    path("<slug:slug>.json", views.InstrumentTwinView.as_view(), name="json"),
]
