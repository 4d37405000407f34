from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Mandate Reference administration"
admin.site.site_title = "Mandate Reference admin"
admin.site.index_title = "Records"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("mandates.urls")),
    path("instruments/", include("instruments.urls")),
    path("partners/", include("partners.urls")),
]
