"""The Explore pages' filters: the paragraphs' and the graph's. Their names are the public URL
contract, shared with the resolution list where they mean the same (body, year_from, year_to,
partner). What the paragraph list says about them is explore/listing.py's."""

import django_filters
from django import forms
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from mandates.filters import (
    AlwaysBoundFilterSet,
    SlugMultipleChoiceFilter,
    YearFilter,
    unknown_value_messages,
)
from mandates.models import Activity, Addressee, Body, Paragraph, Resolution
from partners.models import Partner

# --- Paragraphs: what each operative paragraph asks, of whom ------------------------------------


class ParagraphFilter(AlwaysBoundFilterSet):
    """The paragraph list's filters (/paragraphs/). Their names are the public URL contract.

    `addressee` and `assistance` act together (apply()): addressee=unodc keeps the paragraphs
    addressed to UNODC; with assistance=include, also those naming UNODC's assistance (States
    asked to act with UNODC's help), which is how the Security Council asks for UNODC's work."""

    TAGGED = [("yes", _("Tagged")), ("no", _("Untagged"))]
    # Widening removes a year range as one, and an addressee with the assistance it widens.
    FILTER_GROUPS = (("year_from", "year_to"), ("addressee", "assistance"))
    ASSISTANCE = [("include", _("Also those naming the addressee's assistance"))]

    addressee = SlugMultipleChoiceFilter(
        field_name="addressees__slug",
        to_field_name="slug",
        queryset=Addressee.public.all(),
        error_messages=unknown_value_messages(_("There is no addressee “%(value)s”.")),
        label=_("Addressed to"),
    )
    assistance = django_filters.MultipleChoiceFilter(
        choices=ASSISTANCE,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Assistance is “include” or left out, not “%(value)s”.")
        },
        label=_("Assistance"),
    )
    verb = django_filters.MultipleChoiceFilter(
        field_name="verb",
        choices=Paragraph.Verb.choices,
        conjoined=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("There is no operative verb “%(value)s”.")},
        label=_("Operative verb"),
    )
    activity = SlugMultipleChoiceFilter(
        field_name="activities__slug",
        to_field_name="slug",
        queryset=Activity.public.all(),
        error_messages=unknown_value_messages(_("There is no activity “%(value)s”.")),
        label=_("Activity"),
    )
    partner = SlugMultipleChoiceFilter(
        field_name="partners__slug",
        to_field_name="slug",
        queryset=Partner.public.all(),
        error_messages=unknown_value_messages(_("There is no partner “%(value)s”.")),
        label=_("Partner named"),
    )
    body = SlugMultipleChoiceFilter(
        field_name="resolution__body__code",
        to_field_name="code",
        case=str.upper,
        aliases=Body.objects.code_aliases,
        queryset=Body.public.all(),
        error_messages=unknown_value_messages(_("There is no body “%(value)s”.")),
        label=_("Body"),
    )
    year_from = YearFilter(field_name="resolution__year", lookup_expr="gte", label=_("From year"))
    year_to = YearFilter(field_name="resolution__year", lookup_expr="lte", label=_("To year"))
    tagged = django_filters.ChoiceFilter(
        method="filter_tagged",
        choices=TAGGED,
        empty_label=_("Any"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Tagged is “yes” or “no”, not “%(value)s”.")},
        label=_("Tagged"),
    )

    class Meta:
        model = Paragraph
        fields = [
            "addressee",
            "assistance",
            "verb",
            "activity",
            "partner",
            "body",
            "year_from",
            "year_to",
            "tagged",
        ]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["body"].field.label_from_instance = lambda b: b.display_code
        self.filters["partner"].field.label_from_instance = lambda p: p.acronym
        for name in ("addressee", "activity"):
            self.filters[name].field.label_from_instance = lambda lookup: lookup.display_name

    def filter_tagged(self, queryset, name, value):
        return queryset.tagged() if value == "yes" else queryset.untagged()

    def apply(self, queryset, values):
        """As every FilterSet does, but `addressee` with `assistance`: addressed to one of the
        addressees, or (assistance=include) naming the assistance of one of them."""
        values = dict(values)
        addressees = values.pop("addressee", None)
        assistance = "include" in (values.pop("assistance", None) or [])
        queryset = super().apply(queryset, values)
        return queryset.addressed_to(addressees, assistance) if addressees else queryset

    @property
    def includes_assistance(self):
        return self.is_valid() and "include" in (self.form.cleaned_data.get("assistance") or [])

    # --- facets: each computed with every other filter applied, one query each

    def facet_counts(self):
        """{facet: {value: paragraphs}}, one grouped query each, over the paragraphs every other
        filter lets through (a paragraph counted once, however many of its tags a filter
        matched)."""
        with_assistance = {
            **{k: v for k, v in self.form.cleaned_data.items() if k != "sort"},
            "assistance": ["include"],
        }
        once = Count("pk", distinct=True)
        return {
            "addressee": self.without("addressee").addressee_counts(self.includes_assistance),
            "assistance": {
                "include": self.apply(self.queryset.all(), with_assistance).order_by().count()
            },
            "verb": dict(
                self.without("verb").exclude(verb="").values_list("verb").annotate(n=once)
            ),
            "activity": dict(
                Activity.public.filter(paragraphs__in=self.without("activity"))
                .values_list("slug")
                .annotate(n=Count("paragraphs", distinct=True))
            ),
            "partner": dict(
                Partner.public.filter(paragraphs__in=self.without("partner"))
                .values_list("slug")
                .annotate(n=Count("paragraphs", distinct=True))
            ),
            "body": dict(
                self.without("body").values_list("resolution__body__code").annotate(n=once)
            ),
            "year": dict(
                self.without("year_from", "year_to")
                .values_list("resolution__year")
                .annotate(n=once)
            ),
            "tagged": self.without("tagged").tagged_counts(),
        }


# --- The graph: body and years, named as on the resolution list ---------------------------------


class GraphFilter(AlwaysBoundFilterSet):
    """/graph/?body=GA&year_from=2010: the resolution list's names for the same filters."""

    # No facet counts, so no data version read: the one choice list is read as it is.
    KEEP_CHOICES = False

    body = SlugMultipleChoiceFilter(
        field_name="body__code",
        to_field_name="code",
        case=str.upper,
        aliases=Body.objects.code_aliases,
        queryset=Body.public.all(),
        error_messages=unknown_value_messages(_("There is no body “%(value)s”.")),
        label=_("Body"),
    )
    year_from = YearFilter(field_name="year", lookup_expr="gte", label=_("From year"))
    year_to = YearFilter(field_name="year", lookup_expr="lte", label=_("To year"))

    class Meta:
        model = Resolution
        fields = ["body", "year_from", "year_to"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["body"].field.label_from_instance = lambda b: b.display_code
