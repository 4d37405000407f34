import functools
import html
import re

from django import template
from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mandates.graph import escape as escape_value

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
def paragraph_blocks(paragraphs):
    """The record page's operative paragraphs, a <div> each: its heading (an anchor link), the
    "cited by UNODC" and verification badges, its summary or the note that it has not been
    read, its tags and its citation. `heading` and `tags` come from
    ResolutionDetailView.describe_paragraphs(), as safe markup.

    Drawn here for the reason resolution_rows() is: a resolution may have thirty paragraphs of
    a dozen values each. Every value is escaped, as the template did."""
    e = escape_value
    cited = e(_("cited by UNODC"))
    cited = f'<span class="badge badge--body">{cited}</span>'
    unread = e(_("The text of this paragraph has not been seen; what it asks is not recorded."))
    confirmed, unverified = verification_badges()
    out = []
    for p in paragraphs:
        anchor = e(p.anchor)
        badge = f" {cited}" if p.cited_on_page else ""
        summary = f"<p>{e(p.summary)}</p>" if p.summary else f'<p class="unknown">{unread}</p>'
        tags = f"<p><small>{e(p.tags)}</small></p>" if p.tags else ""
        out.append(
            f'    <div class="paragraph" id="{anchor}">\n'
            f'      <h3><a href="#{anchor}">{e(p.heading)}</a>{badge}'
            f" {confirmed if p.is_confirmed else unverified}</h3>\n"
            f"      {summary}\n"
            f"      {tags}\n"
            f'      <code class="citation">{e(p.citation)}</code>\n'
            "    </div>\n"
        )
    return mark_safe("".join(out))


# The record page's lists of links: a <li> (or a link) each, drawn here for the reason
# resolution_rows() is; every value escaped, as the template did.


@register.simple_tag
def language_items(links):
    """The official text in each UN language: [(code, name, url)] (Resolution.official_links)."""
    e = escape_value
    return mark_safe(
        "".join(
            f'<li><a href="{e(url)}" hreflang="{e(code)}" lang="{e(code)}"'
            f' rel="noopener noreferrer">{e(name)}</a></li>'
            for code, name, url in links
        )
    )


def _note(note):
    return f" <small>({escape_value(note)})</small>" if note else ""


@register.simple_tag
def instrument_link_items(links):
    """Its instrument links (Resolution.linked()): the relation, the instrument, the note."""
    e = escape_value
    return mark_safe(
        "".join(
            f'<li>{e(link.relation_label)} <a href="{e(link.instrument.url)}">'
            f"{e(link.instrument.short_name)}</a>{_note(link.note)}</li>"
            for link in links
        )
    )


@register.simple_tag
def partner_links(partners):
    """The partners it names, as links, separated by commas."""
    e = escape_value
    return mark_safe(", ".join(f'<a href="{e(p.url)}">{e(p.acronym)}</a>' for p in partners))


@register.simple_tag
def citation_items(cites, cited_by):
    """What it cites, then what cites it (ResolutionCitation, Resolution.linked()): the
    relation, the other resolution (code, number, title) and the note."""
    e = escape_value

    def item(label, other, note):
        title = f": {e(other.title)}" if other.title else ""
        return (
            f'<li>{e(label)} <a href="{e(other.url)}">{e(other.body.code)} {e(other.number)}'
            f"</a>{title}{_note(note)}</li>"
        )

    items = [item(link.relation_label, link.cited, link.note) for link in cites]
    items += [item(link.reverse_label, link.citing, link.note) for link in cited_by]
    return mark_safe("".join(items))


@register.simple_tag
def resolution_facts(r, body_url):
    """The record page's facts (<dt>/<dd> pairs): body, number, symbol, adoption date, session,
    meeting, mode of adoption, press release, each with its "unverified" badge where the value
    was recalled. Drawn here for the reason resolution_rows() is (in the template language
    they cost 4% of the record page's instructions); tests/test_resolution_page.py checks the
    markup is what the template wrote, for every real resolution and for values holding markup."""
    e = escape_value
    label = _fact_labels(translation.get_language())
    not_recorded = f'<span class="unknown">{label["not_recorded"]}</span>'
    body = r.body
    facts = f'<a href="{e(body_url)}">{e(body.name)}</a>'
    if body.parent:
        reports = _('(reports to <a href="%(url)s">%(code)s</a>)')
        parent = body.parent
        facts += " " + reports % {"url": e(parent.get_absolute_url()), "code": e(parent.code)}
    out = [f"<dt>{label['body']}</dt><dd>{facts}</dd>"]
    out.append(f"<dt>{label['number']}</dt><dd>{e(r.number)}</dd>")
    if r.symbol:
        symbol = f'<span class="symbol">{e(r.symbol)}</span> {recalled_badge(r, "symbol")}'
    elif r.contained_in:
        contained = _('No symbol of its own; contained in <span class="symbol">%(report)s</span>')
        symbol = f"{contained % {'report': e(r.contained_in)}} {recalled_badge(r, 'contained_in')}"
        if r.contained_in_title:
            symbol += f"<br><small>{e(r.contained_in_title)}</small>"
    else:
        symbol = f'<span class="unknown">{label["not_known"]}</span>'
    out.append(f"<dt>{label['symbol']}</dt><dd>{symbol}</dd>")
    if r.adopted_on:
        long_date = pgettext("long date: 12 February 2015", "j F Y")
        adopted = (
            f'<time datetime="{r.adopted_on.isoformat()}">'
            f"{e(date_format(r.adopted_on, long_date))}</time> {recalled_badge(r, 'adopted_on')}"
        )
    else:
        unknown = _("(exact date not established)")
        adopted = f'{e(str(r.year))} <span class="unknown">{e(unknown)}</span>'
    out.append(f"<dt>{label['adopted']}</dt><dd>{adopted}</dd>")
    session = f"{e(r.session)} {recalled_badge(r, 'session')}" if r.session else not_recorded
    out.append(f"<dt>{label['session']}</dt><dd>{session}</dd>")
    if r.meeting:
        meeting = f"{e(r.meeting)} {recalled_badge(r, 'meeting')}"
        out.append(f"<dt>{label['meeting']}</dt><dd>{meeting}</dd>")
    if r.adoption_mode:
        mode = f"{e(r.get_adoption_mode_display())} {recalled_badge(r, 'adoption_mode')}"
    else:
        mode = not_recorded
    if r.adoption_note:
        mode += f" ({e(r.adoption_note)})"
    out.append(f"<dt>{label['adoption']}</dt><dd>{mode}</dd>")
    if r.press_release:
        release = f'<span class="symbol">{e(r.press_release)}</span>'
        out.append(f"<dt>{label['press_release']}</dt><dd>{release}</dd>")
    return mark_safe("\n    ".join(out))


@functools.lru_cache(maxsize=16)
def _fact_labels(language):
    """resolution_facts()' labels in `language` (the active one), escaped, made once. Marked
    outside the f-strings: makemessages (xgettext) does not read into their replacement fields."""
    labels = {
        "body": _("Body"),
        "number": _("Number"),
        "symbol": _("Symbol"),
        "adopted": _("Adopted"),
        "session": _("Session"),
        "meeting": _("Meeting"),
        "adoption": _("Adoption"),
        "press_release": _("Press release"),
        "not_recorded": _("Not recorded"),
        "not_known": _("Not known"),
    }
    return {key: html.escape(text) for key, text in labels.items()}


@register.simple_tag
def provenance(record):
    """A record's "Sources and verification" section: its badge, what the badge means, its
    verification note and its sources, as links. Every record page ends with it; drawn here
    for the reason resolution_rows() is (it was an included template of a dozen nodes), and
    checked against that template's markup in tests/test_resolution_page.py."""
    e = escape_value
    confirmed, unverified = verification_badges()
    if record.is_confirmed:
        meaning = _("The facts that identify and date this record were read in the sources below.")
    else:
        meaning = _(
            "Not every fact that identifies or dates this record was read in a source: treat it "
            "as unverified until checked."
        )
    recalled = ""
    if record.unverified_fields:
        recalled = _(
            'Values marked <span class="badge badge--unverified">unverified</span> were recalled, '
            "not read."
        )
    note = ""
    if record.verification_note:
        note = (
            '<div class="notice notice--warn"><p>'
            f"{linebreaksbr(record.verification_note, autoescape=True)}</p></div>"
        )
    urls = record.source_urls
    if urls:
        links = "".join(
            f'<li><a href="{e(url)}" rel="noopener noreferrer">{e(url)}</a></li>' for url in urls
        )
        sources = f'<ol class="sources">{links}</ol>'
    else:
        no_source = e(_("No source is recorded for this record."))
        sources = f'<p class="unknown">{no_source}</p>'
    heading = e(_("Sources and verification"))
    return mark_safe(
        '<section aria-labelledby="provenance-heading" class="provenance">\n'
        f'  <h2 id="provenance-heading">{heading}</h2>\n'
        f"  <p>{confirmed if record.is_confirmed else unverified}\n"
        f"    {e(meaning)}\n    {recalled}\n  </p>\n  {note}\n  {sources}\n</section>"
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.inclusion_tag("includes/unverified_badge.html")
def unverified(record, field):
    """A small badge after a value that was recalled rather than read in a source."""
    return {"recalled": field in (record.unverified_fields or [])}


def recalled_badge(record, field):
    """unverified_badge.html's badge, for the tags that draw the record page in Python."""
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
            _("Recalled, not read in a source"),
            _("unverified"),
        ),
    )


@register.inclusion_tag("includes/verification_badge.html")
def verification(record):
    """The record's badge: confirmed (read in a source) or unverified."""
    return {"record": record}


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
def graph_key(graph):
    """A drawing's key, for the link types it draws."""
    return {"graph": graph}
