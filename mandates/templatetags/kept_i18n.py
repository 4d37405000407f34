"""Django's i18n template library, with {% translate %} of a constant kept per language and
{% blocktranslate %}'s message made once, not at every render.

Every template of ours loads it in the place of Django's: `{% load kept_i18n %}` gives every tag
and filter of `{% load i18n %}` (tests/test_kept_i18n.py checks no template loads Django's).
They are Django's, but for two parse functions that wrap Django's own and hand back the node
it built, or a subclass of it that does less at render time:

- {% translate "text" %} (a quoted string, no filter, a constant context, `as` allowed) renders
  the same markup every time for one language and autoescape setting: it is rendered once per
  pair and kept. Django's node makes a lazy translation, translates it, escapes it and restores
  its percent signs at every render, some 80,000 instructions; the record page draws fifteen,
  a tenth of its instructions (docs/performance.md).
- {% blocktranslate %} builds its message (its text with %(name)s for each variable, and with
  `trimmed`, its whitespace collapsed by a regular expression) from the same tokens every
  time: it is built once per node. The translation and the values stay per render.

makemessages reads the templates' text, whatever library the tags come from: the same messages
are extracted. Not registered under the label "i18n" (which the TEMPLATES "libraries" option
could do, for the admin's templates too): the system check warns of two modules for one label.
"""

from django import template
from django.templatetags import i18n
from django.utils import translation

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)


def _constant(expression):
    """True if a FilterExpression is a literal with no filter: the same value every render."""
    return (
        expression is None
        or not expression.filters
        and getattr(expression.var, "literal", None) is not None
    )


class KeptTranslateNode(i18n.TranslateNode):
    """A {% translate %} of a constant: rendered once per language and autoescape setting."""

    def __init__(self, node):
        self.__dict__.update(node.__dict__)
        self.kept = {}

    def render(self, context):
        key = (translation.get_language(), context.autoescape)
        value = self.kept.get(key)
        if value is None:
            output = super().render(context)  # with `as`, it sets the variable and returns ""
            self.kept[key] = context[self.asvar] if self.asvar else output
            return output
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    text = node.filter_expression
    if _constant(text) and isinstance(text.var.literal, str) and _constant(node.message_context):
        return KeptTranslateNode(node)
    return node


class KeptBlockTranslateNode(i18n.BlockTranslateNode):
    """A {% blocktranslate %} whose message is built once from its tokens."""

    def __init__(self, node):
        self.__dict__.update(node.__dict__)
        self.messages = {}

    def render_token_list(self, tokens):
        key = tokens is self.plural  # the singular's tokens or the plural's
        message = self.messages.get(key)
        if message is None:
            message = self.messages[key] = super().render_token_list(tokens)
        singular, variables = message
        return singular, list(variables)  # render() extends the list it is given


@register.tag("blocktranslate")
@register.tag("blocktrans")
def do_block_translate(parser, token):
    return KeptBlockTranslateNode(i18n.do_block_translate(parser, token))
