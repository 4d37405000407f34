import re

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

MAX_TERMS = 10


@register.filter
def highlight(text, query):
    """Wrap each keyword of `query` found in `text` in <mark>, escaping every piece."""
    text = str(text or "")
    words = [w for w in re.findall(r"\w+", str(query or "")) if len(w) > 1][:MAX_TERMS]
    if not words:
        return escape(text)
    pattern = re.compile("(" + "|".join(re.escape(w) for w in words) + ")", re.IGNORECASE)
    # split() with one group alternates plain text and matches; each piece is escaped alone.
    pieces = pattern.split(text)
    return mark_safe(
        "".join(
            f"<mark>{escape(piece)}</mark>" if i % 2 else escape(piece)
            for i, piece in enumerate(pieces)
        )
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.simple_tag
def unverified(record, field):
    """A small badge after a value that was recalled rather than read in a source."""
    if field in (record.unverified_fields or []):
        return format_html(
            '<span class="badge badge--unverified" title="{}">{}</span>',
            _("Recalled, not read in a source"),
            _("unverified"),
        )
    return ""


@register.inclusion_tag("includes/verification.html")
def verification(record):
    return {"record": record}


# --- the interface language ---------------------------------------------------------------------


@register.simple_tag
def interface_languages():
    """[(code, name)] of settings.LANGUAGES, each name in its own language: not passed through
    gettext as {% get_available_languages %} does (which would make "English" "Anglais")."""
    return settings.LANGUAGES


def _prefix(language):
    """The path prefix of a language: "" for the default one (English), "/fr" for French."""
    return "" if language == settings.LANGUAGE_CODE else f"/{language}"


@register.simple_tag(takes_context=True)
def other_language_url(context, language, absolute=False):
    """This page in `language`: the same path and query string, under its language prefix.

    {% other_language_url 'fr' %} on /resolutions/?body=SC gives /fr/resolutions/?body=SC.
    Pages rendered without a request (400, 500, 503) link to the home page in that language.
    """
    request = context.get("request")
    if request is None:
        with translation.override(language):
            return reverse("mandates:home")
    url = request.get_full_path()
    translated = translate_url(url, language)
    current = translation.get_language()
    if translated == url and language != current:
        # No view answers here (a 404 page): swap the prefix by hand, keeping the rest.
        path, _sep, query = url.partition("?")
        here = _prefix(current)
        if here and (path == here or path.startswith(here + "/")):
            path = path[len(here) :] or "/"
        path = _prefix(language) + path
        translated = f"{path}?{query}" if query else path
    return request.build_absolute_uri(translated) if absolute else translated
