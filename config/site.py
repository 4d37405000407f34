"""The files crawlers and security researchers look for at the site's root: robots.txt, the
sitemap (django.contrib.sitemaps; the sections live in each app's sitemaps.py) and
/.well-known/security.txt. favicon.ico is a static file served from static/root/ (whitenoise's
WHITENOISE_ROOT)."""

import datetime as dt

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import cache_control

from instruments.sitemaps import InstrumentSitemap
from mandates.sitemaps import (
    BodySitemap,
    ExpertGroupSitemap,
    ResolutionSitemap,
    SectionSitemap,
)
from partners.sitemaps import PartnerSitemap

SITEMAPS = {
    "pages": SectionSitemap,
    "resolutions": ResolutionSitemap,
    "instruments": InstrumentSitemap,
    "partners": PartnerSitemap,
    "bodies": BodySitemap,
    "expert-group": ExpertGroupSitemap,
}
ONE_DAY = 24 * 3600
# security.txt's Expires: at most a year ahead (RFC 9116 2.5.5); made afresh every day.
SECURITY_TXT_VALID_DAYS = 180


def crawl_exclusions():
    """Path prefixes crawlers are kept out of, in every interface language: the exports and the
    feed (the list pages' data again, in other formats, for every filter combination)."""
    prefixes = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            export = reverse("mandates:export", args=["csv"])
            prefixes += [export[: export.rindex(".") + 1], reverse("mandates:feed")]
    return prefixes


@cache_control(public=True, max_age=ONE_DAY)
def robots_txt(request):
    context = {
        "exclusions": crawl_exclusions(),
        "sitemap_url": request.build_absolute_uri(reverse("site:sitemap")),
    }
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")


@cache_control(public=True, max_age=ONE_DAY)
def sitemap_index(request):
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="site:sitemap-section")


@cache_control(public=True, max_age=ONE_DAY)
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, SITEMAPS, section=section)


@cache_control(public=True, max_age=ONE_DAY)
def security_txt(request):
    """RFC 9116. Only where DJANGO_SECURITY_CONTACT names a contact: a file without one would
    send reports nowhere, and no address is made up here (docs/deploying.md)."""
    if not settings.SECURITY_CONTACTS:
        raise Http404("No security contact is configured.")
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    context = {
        "contacts": settings.SECURITY_CONTACTS,
        "expires": (today + dt.timedelta(days=SECURITY_TXT_VALID_DAYS)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
        "languages": ", ".join(code for code, _name in settings.LANGUAGES),
        "canonical": request.build_absolute_uri(reverse("site:security-txt")),
    }
    return render(request, "security.txt", context, content_type="text/plain; charset=utf-8")
