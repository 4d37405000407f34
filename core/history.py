"""What the history page shows of a change: both values in full, and for text, what changed.

django-simple-history shortens long values ("[598 chars]"); here nothing is cut. A changed text
of several words also gets them as a list of (kind, text) pieces, kind "same", "removed" or
"added", which the template (templates/admin/history/object_history_list.html) marks up.
"""

import difflib
import re

from simple_history.template_utils import HistoricalRecordContextHelper

WORDS = re.compile(r"\s+|\S+\s*")  # a word with the spaces after it; leading spaces


def word_diff(old, new):
    """[(kind, text), ...] turning `old` into `new`, word by word (spaces kept)."""
    a, b = WORDS.findall(old or ""), WORDS.findall(new or "")
    pieces = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(a[a1:a2])))
            continue
        if a1 != a2:
            pieces.append(("removed", "".join(a[a1:a2])))
        if b1 != b2:
            pieces.append(("added", "".join(b[b1:b2])))
    return pieces


class FullDiffContextHelper(HistoricalRecordContextHelper):
    """simple-history's helper without the shortening, plus word pieces for changed texts."""

    def context_for_delta_changes(self, delta):
        context = []
        for change in delta.changes:
            formatted = self.format_delta_change(change)
            item = {"field": formatted.field, "old": formatted.old, "new": formatted.new}
            texts = isinstance(change.old, str) and isinstance(change.new, str)
            if texts and any(c.isspace() for c in change.old + change.new):  # not a code
                item["pieces"] = word_diff(change.old, change.new)
            context.append(item)
        return context

    def get_obj_diff_display(self):
        return FullDisplay()


class FullDisplay:
    """Stands in for simple-history's ObjDiffDisplay: returns the values uncut."""

    def common_shorten_repr(self, *args):
        return args
