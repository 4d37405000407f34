"""Why a record matched a keyword search: the query's words marked in a text, and the part of a
long text around the first of them. Python finds the pieces; includes/marked.html draws them,
escaping every piece, so the result is safe whatever the record or the query holds."""

import re

from django import template

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


def parts(text, pattern):
    """`text` cut into [(piece, matched)]: each match of `pattern` a piece of its own, for
    includes/marked.html to draw (matched pieces in <mark>, every piece escaped there)."""
    if pattern is None:
        return [(text, False)] if text else []
    pieces, end = [], 0
    for match in pattern.finditer(text):
        pieces += [(text[end : match.start()], False), (match.group(), True)]
        end = match.end()
    pieces.append((text[end:], False))
    return [(piece, matched) for piece, matched in pieces if piece]


@register.inclusion_tag("includes/marked.html")
def highlight(text, query):
    """`text` with each keyword of `query` found in it marked."""
    return {"parts": parts(str(text or ""), terms_pattern(query))}


@register.inclusion_tag("includes/marked.html")
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
    return {
        "parts": parts(" ".join(tokens[start:end]), pattern),
        "cut_before": start > 0,
        "cut_after": end < len(tokens),
    }


@register.filter
def matching_paragraph(paragraphs, query):
    """The first of `paragraphs` whose summary holds a keyword of `query`, or None."""
    pattern = terms_pattern(query)
    if pattern is None:
        return None
    return next((p for p in paragraphs if p.summary and pattern.search(p.summary)), None)
