"""Why a record matched a keyword search: the query's words marked in a text, and the part of a
long text around the first of them. Every piece of text is escaped; only our <mark> and the
ellipses are added, so the result is safe whatever the record or the query holds."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

MAX_TERMS = 10
SUFFIXES = ("ies", "es", "s", "ing", "ed", "y")  # "antiquities" also marks "antiquity"


def terms_pattern(query):
    """A regular expression finding each word of `query` at the start of a word, with the
    rest of that word ("Iraq" marks "Iraqi"), or None if the query has no word to find."""
    words = [w for w in re.findall(r"\w+", str(query or "")) if len(w) > 1][:MAX_TERMS]
    if not words:
        return None
    stems = []
    for word in words:
        for suffix in SUFFIXES:
            if len(word) - len(suffix) >= 4 and word.lower().endswith(suffix):
                word = word[: -len(suffix)]
                break
        stems.append(re.escape(word))
    return re.compile(r"(?<!\w)(?:" + "|".join(stems) + r")\w*", re.IGNORECASE)


def marked(text, pattern):
    """`text` escaped, each match of `pattern` in <mark>."""
    if pattern is None:
        return escape(text)
    out, end = [], 0
    for match in pattern.finditer(text):
        out += [escape(text[end : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        end = match.end()
    out.append(escape(text[end:]))
    return mark_safe("".join(out))


@register.filter
def highlight(text, query):
    """Wrap each keyword of `query` found in `text` in <mark>, escaping every piece."""
    return marked(str(text or ""), terms_pattern(query))


@register.filter
def snippet(text, query, words=30):
    """About `words` words of `text` centred on the first keyword of `query` found in it, the
    keywords marked, an ellipsis where text was cut; the start of the text if none is found."""
    text, pattern = str(text or ""), terms_pattern(query)
    tokens = text.split()
    first = 0
    if pattern is not None:
        first = next((i for i, token in enumerate(tokens) if pattern.search(token)), None)
        if first is None:
            first = 0
    start = max(0, min(first - int(words) // 2, len(tokens) - int(words)))
    end = start + int(words)
    shown = marked(" ".join(tokens[start:end]), pattern)
    return mark_safe(f"{'… ' if start > 0 else ''}{shown}{' …' if end < len(tokens) else ''}")


@register.filter
def matching_paragraph(paragraphs, query):
    """The first of `paragraphs` whose summary holds a keyword of `query`, or None."""
    pattern = terms_pattern(query)
    if pattern is None:
        return None
    return next((p for p in paragraphs if p.summary and pattern.search(p.summary)), None)
