from functools import cached_property

from django.conf import settings
from django.http import QueryDict
from django.utils.functional import SimpleLazyObject

from pagecache import version

# The last date read, for pages drawn without the database (the 500 page): see standalone().
_last_seen = {"at": None}


class LastChange:
    """When what the public sees last changed: the data version's `published_at`, which a
    draft's save or a change waiting for review never moves (pagecache/version.py). Read once
    a page, with the data version's token (version.seen_by()), when the footer first asks."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def at(self):
        _token, latest = version.seen_by(self.request)
        _last_seen["at"] = latest
        return latest


class LastSeen:
    """The date the last page read, for a page that must not query (it may be down)."""

    def __init__(self):
        self.at = _last_seen["at"]


def site(request):
    """Site-wide facts for the footer: when the data last changed (DATA_UPDATED.at)."""
    return {"DATA_UPDATED": LastChange(request)}


def standalone():
    """The footer's facts for pages drawn without a request or a database (500, 503)."""
    return {"DATA_UPDATED": LastSeen()}


# The list pages whose filters make a page of their own, and the parameter that does not: the
# order of the same records. Each page of a list is a page of its own (page=1 is the list).
FILTERED_LISTS = ("mandates:resolution-list", "explore:paragraph-list")
NOT_CANONICAL = ("sort",)


def canonical_url(request):
    """The address search engines should index for this page (<link rel="canonical">): the
    page's own path; for a filtered list, with its filters and its page number (sorted, empty
    ones and page=1 left out) but without `sort`. None where no view answered."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace not in settings.PUBLIC_NAMESPACES:
        return None
    query = ""
    if match.view_name in FILTERED_LISTS:
        kept = QueryDict(mutable=True)
        for name in sorted(request.GET):
            if name not in NOT_CANONICAL:
                values = [value for value in request.GET.getlist(name) if value.strip()]
                if name == "page" and values == ["1"]:
                    continue
                if values:
                    kept.setlist(name, values)
        query = kept.urlencode()
    return request.build_absolute_uri(f"{request.path}?{query}" if query else request.path)


def canonical(request):
    """canonical_url(), worked out only if the template asks for it. Named apart from the
    `canonical_url` a view may give (the expert group's page): the Jinja2 backend lays the
    context processors' values over the view's, and base.html prefers the view's."""
    return {"default_canonical_url": SimpleLazyObject(lambda: canonical_url(request) or "")}
