from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Mandate Reference administration"
admin.site.site_title = "Mandate Reference admin"
admin.site.index_title = "Records"

# Error pages render templates/<status>.html; these two must not depend on the request.
handler400 = "config.views.bad_request"
handler500 = "config.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("mandates.urls")),
    path("instruments/", include("instruments.urls")),
    path("partners/", include("partners.urls")),
]
