"""reverse() for the record pages' URLs, whose arguments are slugs: made once, then filled in."""

import functools
import re

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation

# What the <slug:...> converter matches: such a value needs no quoting in a path.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_STAND_IN = "__slug{}__"


def slug_url(name, *slugs):
    """reverse(name, args=slugs), for a URL pattern whose arguments are all <slug:...>.

    The pattern is reversed once per language, script prefix and URL configuration, with
    stand-ins, and kept; each call fills the slugs in. A list page links to a hundred records,
    and reverse() costs ~40 µs each; this, one replace() per slug. A value the slug converter
    would not match goes through reverse(), which raises NoReverseMatch as it always has.
    """
    if not all(isinstance(slug, str) and _SLUG.match(slug) for slug in slugs):
        return reverse(name, args=slugs)
    parts = _parts(name, len(slugs), translation.get_language(), get_script_prefix(), get_urlconf())
    url = parts[0]
    for slug, part in zip(slugs, parts[1:], strict=True):
        url += slug + part
    return url


def slug_url_maker(name, count):
    """A function of `count` slugs giving slug_url(name, *slugs) in the current language and
    script prefix, the pattern looked up once: for a page that links to many records."""
    parts = _parts(name, count, translation.get_language(), get_script_prefix(), get_urlconf())

    def url(*slugs):
        if not all(isinstance(slug, str) and _SLUG.match(slug) for slug in slugs):
            return reverse(name, args=slugs)
        text = parts[0]
        for slug, part in zip(slugs, parts[1:], strict=True):
            text += slug + part
        return text

    return url


@functools.lru_cache(maxsize=512)
def _parts(name, count, language, script_prefix, urlconf):
    """The URL's text around its arguments: (before the first, between..., after the last)."""
    stand_ins = [_STAND_IN.format(i) for i in range(count)]
    url = reverse(name, args=stand_ins)
    parts = []
    for stand_in in stand_ins:
        before, found, url = url.partition(stand_in)
        assert found, (name, stand_in)
        parts.append(before)
    return (*parts, url)
