from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.inclusion_tag("includes/unverified_badge.html")
def unverified(record, field):
    """A small badge after a value that was recalled rather than read in a source."""
    return {"recalled": field in (record.unverified_fields or [])}


# --- the interface language ---------------------------------------------------------------------


def _prefix(language):
    """The path prefix of a language: "" for the default one (English), "/fr" for French."""
    return "" if language == settings.LANGUAGE_CODE else f"/{language}"


@register.simple_tag
def interface_languages():
    """settings.LANGUAGES: [(code, name)], each named in its own language, never translated
    ("English" stays "English" on French pages)."""
    return settings.LANGUAGES


@register.simple_tag(takes_context=True)
def other_language_url(context, language=None, absolute=False):
    """This page in `language` (the default one if None): the same path and query string,
    under its language prefix.

    {% other_language_url 'fr' %} on /resolutions/?body=SC gives /fr/resolutions/?body=SC.
    Pages rendered without a request (400, 500, 503) link to the home page in that language.
    """
    language = language or settings.LANGUAGE_CODE
    request = context.get("request")
    if request is None:
        with translation.override(language):
            return reverse("mandates:home")
    # The URL patterns are the same in every language (only the prefix differs, and the
    # prefix always names the page's language): swapping the prefix works on pages no view
    # answers (a 404) as well.
    path, _sep, query = request.get_full_path().partition("?")
    here = _prefix(translation.get_language())
    if here and (path == here or path.startswith(here + "/")):
        path = path[len(here) :] or "/"
    path = _prefix(language) + path
    translated = f"{path}?{query}" if query else path
    return request.build_absolute_uri(translated) if absolute else translated


@register.inclusion_tag("mandates/includes/graph_svg.html")
def graph_svg(graph, svg_id, title, desc, small=False):
    """A drawing laid out by mandates/graph.py, as an <svg>."""
    return {"graph": graph, "svg_id": svg_id, "title": title, "desc": desc, "small": small}


@register.inclusion_tag("mandates/includes/graph_legend.html")
def graph_key(graph, level=3):
    """A drawing's key, for the link types it draws, under a heading of `level` (h3 in a
    section, h2 right under the page's h1)."""
    return {"graph": graph, "level": level}
