"""{{ data|ld_json }}: JSON for a <script type="application/ld+json"> data block."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

register = template.Library()

# Inside <script>, "</script>" or "<!--" in a value would end or change the block: the three
# characters are written as JSON escapes, which read back as the same text.
SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def ld_json(data):
    """`data` as JSON text safe inside a script data block (no markup, only JSON escapes)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    return mark_safe(text.translate(SCRIPT_SAFE))  # noqa: S308 - escaped just above
