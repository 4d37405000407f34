"""The paragraph list's words and links for its filters (a ParagraphFilter): the filters in
force, the facets' checkboxes, and the nearest wider list, which first offers the paragraphs
naming the addressee's assistance. The generic part is mandates/listing.py's."""

from django.utils.translation import gettext_lazy as _

from mandates.listing import Listing, Widening
from mandates.models import Paragraph


class ParagraphListing(Listing):
    def chosen(self):
        data = self.form.cleaned_data
        yield from self.chosen_records("addressee")
        if self.filterset.includes_assistance:
            yield "assistance", "include", _("Including assistance named")
        yield from self.chosen_records("activity", "partner", "body")
        for verb in data.get("verb") or []:
            yield "verb", verb, Paragraph.Verb(verb).label
        yield from self.chosen_years()
        if data.get("tagged"):
            yield "tagged", data["tagged"], dict(self.filterset.TAGGED)[data["tagged"]]

    def widenings(self):
        """Before any filter is removed: the same addressees, with the paragraphs naming
        their assistance included."""
        steps = super().widenings()
        data = self.form.cleaned_data
        if data.get("addressee") and not self.filterset.includes_assistance:
            query = self.data.copy()
            query.setlist("assistance", ["include"])
            values = {**data, "assistance": ["include"]}
            labels = [label for name, _value, label in self.chosen() if name == "addressee"]
            steps.insert(0, Widening("assistance", labels, query, values))
        return steps

    def facets(self, counts):
        return {
            "addressee": self.facet("addressee", counts),
            "assistance": self.facet("assistance", counts),
            "verb": self.facet("verb", counts, label=str.lower),
            "activity": self.facet("activity", counts),
            "partner": self.facet("partner", counts),
            "body": self.facet("body", counts),
        }
