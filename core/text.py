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
