"""mandates/templatetags/kept_i18n.py: Django's i18n tags, with constant {% translate %}s kept
per language and {% blocktranslate %}'s message built once. What they render must be what
Django's own tags render, in every language, render after render; and every template of ours
loads them."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.templatetags import i18n as django_i18n
from django.utils import translation

from mandates.templatetags import kept_i18n

ENGINE = engines["django"].engine


def compiled(source, library="kept_i18n"):
    return ENGINE.from_string(f"{{% load {library} %}}" + source)


def render(template, language, **context):
    from django.template import Context

    with translation.override(language):
        return template.render(Context(context, autoescape=context.pop("autoescape", True)))


def test_it_has_every_tag_and_filter_of_djangos_library():
    assert set(kept_i18n.register.tags) == set(django_i18n.register.tags)
    assert set(kept_i18n.register.filters) == set(django_i18n.register.filters)
    node = compiled('{% translate "Search" %}').nodelist[-1]
    assert isinstance(node, kept_i18n.KeptTranslateNode)
    variable = compiled("{% translate word %}").nodelist[-1]
    assert not isinstance(variable, kept_i18n.KeptTranslateNode)  # rendered every time


SOURCES = [
    '{% translate "Search" %}',
    '{% translate "Resolutions" %}|{% translate "Search" noop %}',
    "{% translate 'Main' context 'navigation' %}",
    '{% translate "Search" as word %}[{{ word }}]',
    '{% translate "Search"|upper %}',
    "{% translate word %}",
    "{% translate 'a < b & \"c\"' %}",
    "{% autoescape off %}{% translate 'a < b' %}{% endautoescape %}{% translate 'a < b' %}",
    "{% blocktranslate trimmed with code=r.code number=r.number %}\n  {{ code }} resolution\n"
    "  {{ number }}\n{% endblocktranslate %}",
    '{% blocktranslate count n=count %}<span class="stat">{{ n }}</span> resolution'
    '{% plural %}<span class="stat">{{ n }}</span> resolutions{% endblocktranslate %}',
    "{% blocktranslate asvar title with code=r.code %}{{ code }} & co{% endblocktranslate %}"
    "<{{ title }}>",
    "{% blocktranslate %}100% {{ word }}{% endblocktranslate %}",
]


@pytest.mark.parametrize("source", SOURCES)
def test_renders_what_djangos_tags_render_in_each_language_every_time(source):
    ours, theirs = compiled(source), compiled(source, "i18n")
    contexts = [
        {"word": "Search", "count": 1, "r": {"code": "GA", "number": "70/76"}},
        {"word": "<b>bold</b>", "count": 3, "r": {"code": "SC", "number": "2347 (2017)"}},
        {"word": "<b>", "count": 0, "r": {"code": "<i>", "number": "1"}, "autoescape": False},
    ]
    for _ in range(2):  # the second time from what was kept
        for language in ("en", "fr", "en"):
            for context in contexts:
                expected = render(theirs, language, **dict(context))
                assert render(ours, language, **dict(context)) == expected


def test_french_and_english_are_kept_apart():
    template = compiled('{% translate "Resolutions" %}')
    assert render(template, "en") == "Resolutions"
    assert render(template, "fr") == "Résolutions"
    assert render(template, "en") == "Resolutions"
    block = compiled(
        "{% blocktranslate trimmed with code='GA' number='1/2' %}{{ code }} resolution "
        "{{ number }}{% endblocktranslate %}"
    )
    assert render(block, "fr") == "GA, résolution 1/2"
    assert render(block, "en") == "GA resolution 1/2"


def test_every_template_of_ours_loads_the_kept_tags():
    templates = Path(settings.BASE_DIR, "templates").rglob("*.html")
    loads = {path.name: re.findall(r"{% load ([^%]*)%}", path.read_text()) for path in templates}
    assert len(loads) > 20
    for name, libraries in loads.items():
        for library in libraries:
            assert "i18n" not in library.split(), f"{name} loads Django's i18n: use kept_i18n"
