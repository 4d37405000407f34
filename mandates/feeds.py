"""An Atom feed for any filtered list of resolutions: /resolutions/feed/?body=SC&partner=unesco.

It takes the resolution list's parameters (ResolutionFilter); values it does not understand get a
400 with the reasons, as on the list. Entries are the newest matching resolutions.

Dates tell the truth: an entry is <published> on its adoption date (none where that date is not
known; the entry says so) and <updated> when the record last changed (`updated_at`). The feed's
<updated> and Last-Modified are the latest of those, and its ETag is its content's, so both move
with any change to a record it lists, and a conditional request after an edit gets the new feed
(ConditionalGetMiddleware answers 304 only while both still match). Readers and caches may keep
it CACHE_SECONDS.
"""

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from mandates.exports import CACHE_SECONDS
from mandates.filters import ResolutionFilter
from mandates.listing import ResolutionListing
from mandates.models import Resolution

FEED_SIZE = 50


class ResolutionFeed(Feed):
    feed_type = Atom1Feed

    def author_name(self):
        return _("Mandate Reference")

    def __call__(self, request, *args, **kwargs):
        filterset = ResolutionFilter(
            request.GET, queryset=Resolution.public.for_feed(), request=request
        )
        if not filterset.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
            )
            return HttpResponse(
                _("These filters could not be used: %(problems)s") % {"problems": problems} + "\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        response = super().__call__(request, *args, filterset=filterset, **kwargs)
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        return response

    def get_object(self, request, *args, filterset=None, **kwargs):
        # The feed's own address as the reader asked for it: its rel="self" link must match
        # the document's location (a feed validator warns otherwise). Kept on the filterset,
        # which is this request's own: the Feed instance is shared by every thread.
        filterset.feed_path = request.get_full_path()
        return filterset

    # --- the feed

    def title(self, filterset):
        labels = [item["label"] for item in ResolutionListing(filterset).selected_filters()]
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
        return filterset.feed_path

    def items(self, filterset):
        return filterset.qs.order_by(*Resolution._meta.ordering)[:FEED_SIZE]

    # --- its entries

    def item_title(self, resolution):
        """Its name in the feed's language, then its title: "SC resolution 2199 (2015): …",
        « Résolution de l'AG du 13 décembre 2018 : … »."""
        name = capfirst(resolution.name)
        if resolution.title:
            return _("%(name)s: %(title)s") % {"name": name, "title": resolution.title}
        return name

    def item_link(self, resolution):
        return resolution.get_absolute_url()

    def item_description(self, resolution):
        parts = [capfirst(resolution.citation) + ".", resolution.verification_statement]
        if resolution.summary:
            parts.append(resolution.summary)
        if not resolution.adopted_on:
            parts.append(
                _(
                    "Adopted in %(year)s; the exact date of adoption is not known, so this "
                    "entry has no publication date and is dated by the record's last change."
                )
                % {"year": resolution.year}
            )
        return " ".join(parts)

    def item_pubdate(self, resolution):
        """The adoption date; None (no <published>) where it is not known: never made up."""
        if resolution.adopted_on is None:
            return None
        return dt.datetime.combine(resolution.adopted_on, dt.time.min, tzinfo=dt.UTC)

    def item_updateddate(self, resolution):
        """When the record last changed. A record not saved since `updated_at` came in has
        none: then its adoption date, else now (Atom requires a date; "now" only makes
        readers fetch it again, never keeps an edit from them)."""
        return resolution.updated_at or self.item_pubdate(resolution) or timezone.now()

    def item_categories(self, resolution):
        return [resolution.body.code, *(i.short_name for i in resolution.instrument_list)]
