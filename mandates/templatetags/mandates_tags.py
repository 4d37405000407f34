import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

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
            '<span class="badge badge--unverified" title="{}">unverified</span>',
            "Recalled, not read in a source",
        )
    return ""


@register.inclusion_tag("includes/verification.html")
def verification(record):
    return {"record": record}
