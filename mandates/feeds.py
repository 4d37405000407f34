"""An Atom feed for any filtered list of resolutions: /resolutions/feed/?body=SC&partner=unesco.

It takes the resolution list's parameters (ResolutionFilter); values it does not understand get a
400 with the reasons, as on the list. Entries are the newest matching resolutions.
"""

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from mandates.filters import ResolutionFilter
from mandates.models import Resolution

FEED_SIZE = 50


class ResolutionFeed(Feed):
    feed_type = Atom1Feed

    def author_name(self):
        return _("Mandate Reference")

    def __call__(self, request, *args, **kwargs):
        filterset = ResolutionFilter(request.GET, queryset=Resolution.objects.for_feed())
        if not filterset.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
            )
            return HttpResponse(
                _("These filters could not be used: %(problems)s") % {"problems": problems} + "\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return super().__call__(request, *args, filterset=filterset, **kwargs)

    def get_object(self, request, *args, filterset=None, **kwargs):
        return filterset

    # --- the feed

    def title(self, filterset):
        labels = [item["label"] for item in filterset.selected_filters()]
        if labels:
            return _("Mandate Reference: resolutions (%(filters)s)") % {
                "filters": ", ".join(str(label) for label in labels)
            }
        return _("Mandate Reference: resolutions")

    def subtitle(self, filterset):
        return _(
            "The newest %(count)s resolutions matching these filters: UNODC mandates on "
            "trafficking in cultural property."
        ) % {"count": FEED_SIZE}

    def link(self, filterset):
        query = filterset.data.copy()
        query.pop("page", None)
        url = reverse("mandates:resolution-list")
        return f"{url}?{query.urlencode()}" if query else url

    def feed_url(self, filterset):
        query = filterset.data.copy()
        query.pop("page", None)
        url = reverse("mandates:feed")
        return f"{url}?{query.urlencode()}" if query else url

    def items(self, filterset):
        return filterset.qs.order_by(*Resolution._meta.ordering)[:FEED_SIZE]

    # --- its entries

    def item_title(self, resolution):
        label = f"{resolution.body.code} {resolution.number}"
        return f"{label}: {resolution.title}" if resolution.title else label

    def item_link(self, resolution):
        return resolution.get_absolute_url()

    def item_description(self, resolution):
        parts = [resolution.citation + "."]
        if resolution.summary:
            parts.append(resolution.summary)
        if not resolution.adopted_on:
            parts.append(
                _(
                    "The exact date of adoption is not known; this entry is dated "
                    "1 January %(year)s."
                )
                % {"year": resolution.year}
            )
        return " ".join(parts)

    def item_pubdate(self, resolution):
        day = resolution.adopted_on or dt.date(resolution.year, 1, 1)
        return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)

    def item_updateddate(self, resolution):
        return self.item_pubdate(resolution)

    def item_categories(self, resolution):
        return [resolution.body.code, *(i.short_name for i in resolution.instruments.all())]
