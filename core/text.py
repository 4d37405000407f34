"""Small helpers that put words together in the page's language."""

from django.utils.translation import gettext


def joined(names, conjunction=None):
    """ "A", "A and B", "A, B and C" (or another conjunction), in the page's language."""
    names = [str(name) for name in names]
    if len(names) < 2:
        return "".join(names)
    return gettext("%(first)s %(conjunction)s %(last)s") % {
        "first": ", ".join(names[:-1]),
        "conjunction": conjunction or gettext("and"),
        "last": names[-1],
    }


def choice_label(choices, value):
    """What get_<field>_display() shows for `value` of a field with these `choices` (a
    TextChoices class), in the page's language: its label, or the value itself where it is
    none of them. Only that label is translated, where get_<field>_display() translates every
    label of the field to find it (its dictionary is built anew at each call): a resolution's
    name, read twenty times on its page, felt it."""
    try:
        return choices(value).label
    except ValueError:
        return value
