"""The Jinja2 environment of the public pages (settings.TEMPLATES, first backend; the admin keeps
Django's template engine, the second backend).

Jinja2 draws the same pages in less time than Django's engine (docs/performance.md): a macro
called in a loop costs about what a function call does, where an {% include %} or an inclusion
tag set up a context and a template each time. What the templates used from Django's tags and
filters is here as plain functions: Django's own where it has one (date, urlencode, linebreaksbr,
intcomma, querystring, ...), so a value looks the same in both engines.
"""

import html
import itertools
import json
from operator import attrgetter

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.serializers.json import DjangoJSONEncoder
from django.template import defaultfilters
from django.template.defaulttags import querystring as django_querystring
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, translation
from django.utils.safestring import SafeString, mark_safe
from jinja2 import ChainableUndefined, Environment, pass_context, pass_eval_context

# Inside <script>, "</script>" or "<!--" in a value would end or change the block: the three
# characters are written as JSON escapes, which read back as the same text.
SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def url(name, *args, **kwargs):
    """reverse(): {{ url("mandates:export", "json") }}."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def interface_languages():
    """settings.LANGUAGES: [(code, name)], each named in its own language, never translated
    ("English" stays "English" on French pages)."""
    return settings.LANGUAGES


def _prefix(language):
    """The path prefix of a language: "" for the default one (English), "/fr" for French."""
    return "" if language == settings.LANGUAGE_CODE else f"/{language}"


@pass_context
def other_language_url(context, language=None, absolute=False):
    """This page in `language` (the default one if None): the same path and query string,
    under its language prefix.

    other_language_url("fr") on /resolutions/?body=SC gives /fr/resolutions/?body=SC.
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


@pass_context
def querystring(context, **changes):
    """Django's {% querystring %} on the page's request.GET: querystring(page=None)."""
    return django_querystring(None, context["request"].GET, **changes)


def get_item(mapping, key):
    """mapping[key], 0 where the mapping or the key is missing (a count)."""
    return mapping.get(key, 0) if mapping else 0


def ld_json(data):
    """`data` as JSON text safe inside a script data block (no markup, only JSON escapes)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    return mark_safe(text.translate(SCRIPT_SAFE))  # noqa: S308 - escaped just above


def regroup(items, attribute):
    """[(grouper, [items])] of consecutive items with the same attribute, in their order: Django's
    {% regroup %} (Jinja's groupby sorts, which would lose the queryset's order)."""
    return [(key, list(group)) for key, group in itertools.groupby(items, attrgetter(attribute))]


def escaped(value):
    """`value` escaped as Django escapes it, with the standard library's html.escape() that
    Django's escape() calls (&#x27; and &quot;, where Jinja2's own escaping writes &#39; and
    &#34;), so a page reads the same in both engines; markup (a macro's output, a translated
    message, a SafeString) as it is, as conditional_escape() leaves it. Calling html.escape()
    directly skips the check for lazy arguments Django's escape() makes at each call, which
    was a fifth of the list page's rendering (a thousand values a page)."""
    if hasattr(value, "__html__"):
        return value
    return SafeString(html.escape(str(value)))


@pass_eval_context
def finalize(eval_context, value):
    """A value as Django's engine prints it: dates in the language's format, None as "None",
    numbers unlocalised (no page turns on thousand separators, and the drawings need a dot
    before decimals in every language); escaped as Django escapes (escaped())."""
    if hasattr(value, "isoformat"):
        value = formats.localize(value)
    return escaped(value) if eval_context.autoescape else value


# The translation functions of the templates' {{ _("...") }} and {% trans %} blocks, with
# Jinja2's "newstyle" calling convention (the message and its variables, formatted here) and
# Django's escaping of the variables: a translated message is markup, the values put into it
# are text.


def _format(context, message, variables):
    if context.eval_ctx.autoescape:
        return mark_safe(message % {k: escaped(v) for k, v in variables.items()})  # noqa: S308 - each value escaped
    return message % variables


@pass_context
def gettext(context, message, **variables):
    return _format(context, translation.gettext(message), variables)


@pass_context
def ngettext(context, singular, plural, number, **variables):
    variables.setdefault("num", number)
    return _format(context, translation.ngettext(singular, plural, number), variables)


@pass_context
def pgettext(context, message_context, message, **variables):
    return _format(context, translation.pgettext(message_context, message), variables)


@pass_context
def npgettext(context, message_context, singular, plural, number, **variables):
    variables.setdefault("num", number)
    text = translation.npgettext(message_context, singular, plural, number)
    return _format(context, text, variables)


def environment(**options):
    """The Jinja2 Environment of settings.TEMPLATES: autoescaped (the backend's default), with
    Django's translations, URLs and static files, and the filters the templates use."""
    # A missing value, or a value of a missing one (request.user on a page drawn without a
    # request), is empty, as with Django's engine (whose Jinja2 backend would pass Undefined, or
    # DebugUndefined with DEBUG on); a template's last newline is kept, as Django does.
    options["undefined"] = ChainableUndefined
    env = Environment(
        extensions=["jinja2.ext.i18n"],
        finalize=finalize,
        keep_trailing_newline=True,
        **options,
    )
    # What install_gettext_callables(newstyle=True) installs, with the functions above.
    env.newstyle_gettext = True
    env.globals.update(gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext)
    env.globals.update(
        url=url,
        static=static,
        get_current_language=translation.get_language,
        interface_languages=interface_languages,
        other_language_url=other_language_url,
        querystring=querystring,
    )
    env.filters.update(
        date=defaultfilters.date,
        urlencode=defaultfilters.urlencode,
        linebreaksbr=defaultfilters.linebreaksbr,
        truncatewords=defaultfilters.truncatewords,
        truncatechars=defaultfilters.truncatechars,
        capfirst=defaultfilters.capfirst,
        join=defaultfilters.join,
        cut=defaultfilters.cut,
        intcomma=intcomma,
        get_item=get_item,
        ld_json=ld_json,
        regroup=regroup,
    )
    return env
