from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config import site

admin.site.site_header = "Mandate Reference administration"
admin.site.site_title = "Mandate Reference admin"
admin.site.index_title = "Records"

# Error pages render templates/<status>.html; these two must not depend on the request.
handler400 = "config.views.bad_request"
handler500 = "config.views.server_error"

# The files crawlers look for at the root (favicon.ico is a static file: config/site.py).
site_patterns = [
    path("robots.txt", site.robots_txt, name="robots-txt"),
    path("sitemap.xml", site.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", site.sitemap_section, name="sitemap-section"),
    path(".well-known/security.txt", site.security_txt, name="security-txt"),
]

# The admin stays in English, outside the language prefix (/healthz answers in middleware).
urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((site_patterns, "site"))),
]

# The public pages in each interface language: English at the plain address (/resolutions/),
# French under /fr/ (/fr/resolutions/). The feed and exports too; their data is the same.
urlpatterns += i18n_patterns(
    path("", include("mandates.urls")),
    path("", include("explore.urls")),
    path("instruments/", include("instruments.urls")),
    path("partners/", include("partners.urls")),
    prefix_default_language=False,
)
