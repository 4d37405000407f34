"""The page cache: whole public pages for anonymous visitors, until any record changes.

Django's own cache middleware keys pages by URL and expires them by time only, so an edit would
show only once the entry expired. Here the key also holds the data version (pagecache/version.py),
read with one primary-key SELECT a request: any change to any record, saved by any process,
retires every cached page in every worker on the very next request. Entries live in the default
cache (per-process memory, so `make run` needs no other service) for PAGE_CACHE_SECONDS at most;
PAGE_CACHE_SECONDS=0 switches the cache off.

What is cached: GET answers with status 200 from the public apps' views (PAGE_CACHE_NAMESPACES;
never the admin), setting no cookie and not marked private or no-cache, up to
PAGE_CACHE_MAX_BYTES (a streamed export that small is read whole and kept as one response).
Who gets cached pages: GET and HEAD requests without a session cookie. Signed-in staff always
get fresh pages, and never fill the cache.

It sits after LocaleMiddleware (the language is part of the key) and before CommonMiddleware:
a hit skips everything below, the view included, but still passes every middleware above
(security headers, Content-Security-Policy, and ConditionalGetMiddleware, which answers 304 to
a matching If-None-Match: entries are stored with their ETag).
"""

import hashlib
import itertools

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import set_response_etag

from pagecache import version

UNCACHEABLE = ("private", "no-cache", "no-store")


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS  # read per request: tests switch it on and off
        if seconds <= 0 or not self.may_use_cache(request):
            return self.get_response(request)
        try:
            data_version, _published_at = version.seen_by(request)
        except DatabaseError:
            return self.get_response(request)  # the view answers (a 503 if the database is down)
        cache = caches[settings.PAGE_CACHE_ALIAS]
        key = self.key(request, data_version)
        entry = cache.get(key)
        if entry is not None:
            return self.thaw(entry)
        response = self.get_response(request)
        if request.method == "GET" and self.may_store(request, response):
            response, entry = self.freeze(response)
            if entry is not None:
                cache.set(key, entry, seconds)
        return response

    @staticmethod
    def may_use_cache(request):
        return request.method in ("GET", "HEAD") and not (
            settings.SESSION_COOKIE_NAME in request.COOKIES  # staff (or a former session)
            or "messages" in request.COOKIES  # a one-off message waiting to be shown
        )

    @staticmethod
    def key(request, data_version):
        """Scheme, host, path, the query string (re-encoded, so equivalent spellings share an
        entry; parameter order is kept, as the page's own links keep it), language, version.
        The host is checked against ALLOWED_HOSTS here (get_host), as CommonMiddleware would."""
        language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language()
        url = f"{request.scheme}://{request.get_host()}{request.path}?{request.GET.urlencode()}"
        digest = hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()
        return f"page:{data_version}:{language}:{digest}"

    @staticmethod
    def may_store(request, response):
        """Only asked for a request may_use_cache() let through: one without a session cookie,
        so from an anonymous visitor. request.user is not read: loading it reads the session,
        and a session read marks the answer `Vary: Cookie`, which would keep shared caches from
        keeping any public page."""
        match = request.resolver_match
        cache_control = response.get("Cache-Control", "").lower()
        return (
            response.status_code == 200
            and match is not None
            and match.namespace in settings.PAGE_CACHE_NAMESPACES
            and not response.cookies
            and not any(word in cache_control for word in UNCACHEABLE)
        )

    @staticmethod
    def freeze(response):
        """(the response to send now, the entry to store or None if too large)."""
        limit = settings.PAGE_CACHE_MAX_BYTES
        if response.streaming:
            chunks, size = [], 0
            stream = iter(response.streaming_content)
            for chunk in stream:
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:  # too large to keep: send what was read, then the rest
                    response.streaming_content = itertools.chain(chunks, stream)
                    return response, None
            whole = HttpResponse(b"".join(chunks), status=response.status_code)
            for name, value in response.items():
                whole.headers[name] = value
            response = whole
        elif len(response.content) > limit:
            return response, None
        set_response_etag(response)  # computed once here, not on every hit
        return response, (response.status_code, list(response.items()), response.content)

    @staticmethod
    def thaw(entry):
        status, headers, content = entry
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response.headers[name] = value
        return response
