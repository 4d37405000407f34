import functools
import html
import re

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()

MAX_TERMS = 10


@register.filter
def highlight(text, query):
    """Wrap each keyword of `query` found in `text` in <mark>, escaping every piece."""
    text = str(text or "")
    if not query:
        return mark_safe(html.escape(text))
    words = [w for w in re.findall(r"\w+", str(query)) if len(w) > 1][:MAX_TERMS]
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


@register.simple_tag
def resolution_rows(resolutions, query=""):
    """The <tr> rows of the resolution list, from what ResolutionListView gave each resolution
    (url, adopted_label, paragraph_links, paragraphs_label, filter_links).

    Drawn here rather than in the template: a row shows some forty values, and at the template
    language's ~10 µs a value the 25 rows were a quarter of what an uncached list page cost.
    Plain f-strings cost a tenth of that. Every value goes through escape() (html.escape, as
    Django's own escape() does) or highlight(), which escapes too: tests/test_browse.py checks
    titles, symbols and summaries holding markup come out as text.
    """
    e = html.escape
    label = {
        "resolution": e(_("Resolution")),
        "title": e(_("Title")),
        "adopted": e(_("Adopted")),
        "links": e(_("Links")),
        "no_title": e(_("Title not established")),
        "no_day": e(_("(day unknown)")),
    }
    confirmed, unverified = verification_badges()
    out = []
    for r in resolutions:
        first = (
            f'<a href="{e(r.url)}"><strong><abbr title="{e(r.body.name)}">{e(r.body.code)}</abbr>'
            f" {highlight(r.number, query)}</strong></a>"
        )
        if r.symbol:
            first += f'<br><span class="symbol">{highlight(r.symbol, query)}</span>'
        elif r.contained_in:
            report = _("in %(report)s") % {"report": r.contained_in}
            first += f'<br><span class="symbol">{e(report)}</span>'
        first += "<br>" + (confirmed if r.is_confirmed else unverified)

        if r.title:
            title = highlight(r.title, query)
        else:
            title = f'<span class="unknown">{label["no_title"]}</span>'
        if query and r.summary:
            summary = Truncator(r.summary).words(40, truncate=" …")
            title += f"<br><small>{highlight(summary, query)}</small>"
        if r.paragraph_links:
            numbers = ", ".join(f'<a href="{e(h)}">{e(str(n))}</a>' for h, n in r.paragraph_links)
            title += f"<br><small>{e(r.paragraphs_label)} {numbers}</small>"

        if r.adopted_on:
            adopted = f'<time datetime="{r.adopted_on.isoformat()}">{e(r.adopted_label)}</time>'
        else:
            adopted = f'{r.year} <span class="unknown">{label["no_day"]}</span>'

        tags = "".join(
            f'<a class="tag" href="{e(h)}" title="{e(t)}">{e(text)}</a> '
            for h, t, text in r.filter_links
        )
        out.append(
            f'<tr>\n  <td data-label="{label["resolution"]}">{first}</td>\n'
            f'  <td data-label="{label["title"]}" class="title">{title}</td>\n'
            f'  <td data-label="{label["adopted"]}">{adopted}</td>\n'
            f'  <td data-label="{label["links"]}" class="links">{tags}</td>\n</tr>\n'
        )
    return mark_safe("".join(out))


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.simple_tag
def unverified(record, field):
    """A small badge after a value that was recalled rather than read in a source."""
    if field in (record.unverified_fields or []):
        return _badges(translation.get_language())[2]
    return ""


def verification_badges():
    """(confirmed, unverified): the two badges, in the current language."""
    return _badges(translation.get_language())[:2]


@functools.lru_cache(maxsize=64)
def _badges(language):
    """The badges in `language` (the active one): made once per language and kept, as every
    record page and list row draws some, and they hold only translations."""
    return (
        format_html('<span class="badge badge--confirmed">{}</span>', _("Confirmed")),
        format_html('<span class="badge badge--unverified">{}</span>', _("Unverified")),
        format_html(
            '<span class="badge badge--unverified" title="{}">{}</span>',
            _("Not read in a source yet"),
            _("unverified"),
        ),
    )


@register.simple_tag
def verification(record):
    """The record's badge: confirmed (read in a source) or unverified. A simple tag, not an
    included template: the lists draw one a row."""
    confirmed, unverified = verification_badges()
    return confirmed if record.is_confirmed else unverified


# --- the interface language ---------------------------------------------------------------------


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
    # The URL patterns are the same in every language (only the prefix differs, and the
    # prefix always names the page's language), so swapping the prefix is all translate_url()
    # would do, at a tenth of its cost (it resolves and reverses the path), and it works on
    # pages no view answers (a 404) as well.
    path, _sep, query = request.get_full_path().partition("?")
    here = _prefix(translation.get_language())
    if here and (path == here or path.startswith(here + "/")):
        path = path[len(here) :] or "/"
    path = _prefix(language) + path
    translated = f"{path}?{query}" if query else path
    return request.build_absolute_uri(translated) if absolute else translated


@register.simple_tag(takes_context=True)
def alternate_links(context):
    """The <head>'s links to this page in each interface language, and to the default one as
    x-default."""
    e = html.escape
    links = [
        (code, other_language_url(context, code, absolute=True))
        for code, _name in settings.LANGUAGES
    ]
    links.append(("x-default", other_language_url(context, settings.LANGUAGE_CODE, absolute=True)))
    return mark_safe(
        "".join(
            f'\n  <link rel="alternate" hreflang="{e(code)}" href="{e(url)}">'
            for code, url in links
        )
    )


@register.simple_tag(takes_context=True)
def language_switch(context):
    """The header's links to this page in the other interface languages, each named in its own
    language (settings.LANGUAGES), never translated: "English" stays "English" on French pages."""
    e, here = html.escape, translation.get_language()
    return mark_safe(
        "".join(
            f'\n      <a href="{e(other_language_url(context, code))}" hreflang="{e(code)}"'
            f' lang="{e(code)}" rel="alternate">{e(name)}</a>'
            for code, name in settings.LANGUAGES
            if code != here
        )
    )


# The main navigation: (URL name, label, the views it is the current section for: a name, or a
# namespace ending in ":").
SITE_NAV = (
    (
        "mandates:resolution-list",
        gettext_lazy("Resolutions"),
        ("mandates:resolution-list", "mandates:resolution-detail"),
    ),
    ("mandates:paragraph-list", gettext_lazy("Paragraphs"), ("mandates:paragraph-list",)),
    ("instruments:list", gettext_lazy("Instruments"), ("instruments:",)),
    ("partners:list", gettext_lazy("Partners"), ("partners:",)),
    ("mandates:body-list", gettext_lazy("Bodies"), ("mandates:body-list", "mandates:body-detail")),
    ("mandates:expert-group", gettext_lazy("Expert group"), ("mandates:expert-group-detail",)),
    (
        "mandates:explore",
        gettext_lazy("Explore"),
        ("mandates:explore", "mandates:graph", "mandates:timeline", "mandates:matrix"),
    ),
    ("mandates:about", gettext_lazy("About the data"), ("mandates:about",)),
)


@register.simple_tag(takes_context=True)
def site_nav(context):
    """The main navigation's <li> items, the current section marked aria-current="page".

    Made once per language and section, and kept: it depends on the URL configuration and the
    translations alone, never on data, and every page draws it (in the template language it
    was a fifth of an uncached record page's rendering)."""
    match = getattr(context.get("request"), "resolver_match", None)
    section = (match.view_name if match else "") or ""
    return _site_nav(translation.get_language(), get_script_prefix(), section)


@functools.lru_cache(maxsize=256)
def _site_nav(language, script_prefix, section):
    items = []
    for name, label, current in SITE_NAV:
        here = any(section == c or (c.endswith(":") and section.startswith(c)) for c in current)
        items.append(
            format_html(
                '<li><a href="{}"{}>{}</a></li>',
                reverse(name),
                mark_safe(' aria-current="page"') if here else "",
                label,
            )
        )
    return mark_safe("\n        ".join(items))


@register.simple_tag
def graph_svg(graph, svg_id, title, desc, small=False):
    """A drawing, as an <svg>: Graph.svg()."""
    return graph.svg(svg_id, title, desc, small=small)


@register.simple_tag
def graph_key(graph):
    """A drawing's key (graph_legend.html) for the link types it draws: made once per language
    and set of types, and kept, since it shows constants of mandates/graph.py and their
    translations, never data."""
    return _graph_key(translation.get_language(), tuple(kind.key for kind in graph.kinds))


@functools.lru_cache(maxsize=256)
def _graph_key(language, kinds):
    from mandates import graph

    drawn = [graph.EDGE_KINDS[key] for key in kinds]
    legend = {"graph": {"families": graph.families(drawn)}}
    return mark_safe(render_to_string("mandates/includes/graph_legend.html", legend))


@register.simple_tag
def route(name):
    """reverse() of a URL that takes no arguments (the header's and footer's links), kept per
    language: such a URL depends only on the URL configuration, which never changes while the
    process runs. A page draws a dozen of them; reverse() costs ~40 µs each."""
    return _route(name, translation.get_language(), get_script_prefix())


@functools.lru_cache(maxsize=256)
def _route(name, language, script_prefix):
    return reverse(name)


# --- fragments drawn once ----------------------------------------------------------------------


class FixedNode(template.Node):
    """{% fixed key... %}…{% endfixed %}: see fixed()."""

    def __init__(self, nodelist, keys):
        self.nodelist = nodelist
        self.keys = keys
        self.drawn = {}  # (language, script prefix, key values) -> the markup

    def render(self, context):
        key = (
            translation.get_language(),
            get_script_prefix(),
            *(key.resolve(context) for key in self.keys),
        )
        markup = self.drawn.get(key)
        if markup is None:
            markup = self.nodelist.render(context)
            if len(self.drawn) < FIXED_VARIANTS:
                self.drawn[key] = markup
        return markup


FIXED_VARIANTS = 64  # per fragment: the languages times the values of its keys


@register.tag
def fixed(parser, token):
    """{% fixed %}…{% endfixed %} draws its content once per language and keeps the markup for
    the life of the process; {% fixed a b %} once per language and values of a and b.

    For a page's chrome only (the header's brand, search box and navigation, the footer, the
    stylesheet's link): markup that depends on the translations, the URL configuration and the
    static files' manifest, none of which changes while the process runs, and on the values
    named, never on data or on the request otherwise. Drawn in the template language, the chrome
    cost a tenth of an uncached record page; kept, it costs a dictionary lookup. Each {% fixed %}
    in a template keeps its own markup (the compiled template, kept by the cached loader, holds
    it), at most FIXED_VARIANTS versions."""
    bits = token.split_contents()[1:]
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    return FixedNode(nodelist, [parser.compile_filter(bit) for bit in bits])
