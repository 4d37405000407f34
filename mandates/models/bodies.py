"""The bodies that adopt resolutions, and the lookups that tag paragraphs."""

import re
from urllib.parse import quote

from django.contrib.humanize.templatetags.humanize import ordinal
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import (
    PublicManager,
    RecordQuerySet,
    Sourced,
    Versioned,
    errors_of,
)

UN_LANGUAGES = [  # the UN order, each named in its own script: never translated
    ("ar", "العربية"),
    ("zh", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]


def nth(number):
    """ "7379th", "7379e": the ordinal in the page's language, as plain text."""
    return strip_tags(ordinal(int(number)))


def undocs_links(symbol):
    """One official link a UN language for a document symbol (the UN's own permalink service)."""
    path = quote(symbol, safe="/()")  # "S/RES/2347 (2017)" -> "S/RES/2347%20(2017)"
    return [(code, name, f"https://undocs.org/{code}/{path}") for code, name in UN_LANGUAGES]


BODIES_WITHOUT_SESSIONS = {"SC"}  # see Body.holds_sessions


# --- Bodies -----------------------------------------------------------------------------------


class BodyQuerySet(RecordQuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def with_counts(self):
        """resolution_count on each body (its public resolutions): a count per body in a
        subquery, answered from the (body, year) index alone, rather than joining every
        resolution to its body and counting distinct rows (1.6 s on the home page at 100,000
        resolutions on PostgreSQL)."""
        counts = (
            self.model.resolutions.field.model.public.filter(body=OuterRef("pk"))
            .order_by()
            .values("body")
            .annotate(n=Count("*"))
            .values("n")
        )
        return self.annotate(resolution_count=Coalesce(Subquery(counts), 0))

    def for_detail(self):
        """A body's page: its parent, subsidiary bodies and public resolutions, newest first."""
        resolutions = self.model.resolutions.field.model.public.select_related("body")
        return self.select_related("parent").prefetch_related(
            "children",
            Prefetch(
                "resolutions", queryset=resolutions.order_by(*resolutions.model._meta.ordering)
            ),
        )

    def code_aliases(self):
        """{French abbreviation in capitals: code}, where the two differ ({"AG": "GA", "CS":
        "SC", ...}): what a reader of the French pages may type in an address for a body."""
        rows = self.exclude(code_fr="").values_list("code", "code_fr")
        return {french.upper(): code for code, french in rows if french.upper() != code}


class Body(Sourced):
    """An organ that adopts mandates: General Assembly, Security Council, CCPCJ, ..."""

    KEY_FIELDS = ("name",)

    class Kind(models.TextChoices):
        PRINCIPAL_ORGAN = "principal-organ", _("Principal organ of the United Nations")
        FUNCTIONAL_COMMISSION = "functional-commission", _("Functional commission")
        TREATY_BODY = "treaty-body", _("Conference of States parties")
        CONGRESS = "congress", _("United Nations congress")

    code = models.CharField(max_length=10, unique=True, help_text='Natural key: "GA", "SC".')
    slug = models.SlugField(max_length=20, unique=True, help_text='URL segment: "ga".')
    name = models.CharField(max_length=200)
    name_fr = models.CharField(
        "name in French", max_length=200, blank=True, help_text="As the UN writes it in French."
    )
    code_fr = models.CharField(
        "abbreviation in French", max_length=10, blank=True, help_text='"AG", "CS".'
    )
    of_name_fr = models.CharField(
        "“of the …” in French",
        max_length=220,
        blank=True,
        help_text='How a French citation names it: "du Conseil de sécurité", '
        '"de l\'Assemblée générale".',
    )
    kind = models.CharField(max_length=30, choices=Kind)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The body it reports to.",
    )
    description = models.TextField(blank=True)
    number_format = models.CharField(
        max_length=100,
        help_text=(
            "Regular expression a resolution number of this body must match; a named group "
            "(?P<year>....) ties the number to the year of adoption."
        ),
    )
    symbol_format = models.CharField(
        max_length=60,
        blank=True,
        help_text='How the symbol is made from the number, e.g. "A/RES/{number}". '
        "Empty where resolutions have no symbol of their own.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists.")
    history = HistoricalRecords(excluded_fields=["version"])

    objects = BodyQuerySet.as_manager()
    public = PublicManager.from_queryset(BodyQuerySet)()

    class Meta:
        ordering = ["position", "code"]
        verbose_name_plural = _("bodies")

    def __str__(self):
        return f"{self.name} ({self.code})"

    def natural_key(self):
        return (self.code,)

    def get_absolute_url(self):
        return reverse("mandates:body-detail", args=[self.slug])

    def clean(self):
        errors = errors_of(super().clean)
        try:
            re.compile(self.number_format)
        except re.error as exc:
            errors["number_format"] = f"Not a regular expression: {exc}."
        if self.symbol_format and "{number}" not in self.symbol_format:
            errors["symbol_format"] = "Include {number} where the resolution number goes."
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = "A body cannot report to itself."
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self):
        """The body's name in the page's language (the French one where recorded)."""
        return self.name_fr if get_language() == "fr" and self.name_fr else self.name

    @property
    def display_code(self):
        return self.code_fr if get_language() == "fr" and self.code_fr else self.code

    @property
    def code_in_names(self):
        """The body as a resolution's name gives it, in the page's language: "GA" (English
        puts it first: "GA resolution 70/76"), "de l'AG" (French puts it after the kind and
        number, with its article: « résolution 70/76 de l'AG »)."""
        return self.of_code_fr if get_language() == "fr" else self.code

    @property
    def name_in_citations(self):
        """The same with the full name: "General Assembly", « de l'Assemblée générale »."""
        if get_language() != "fr":
            return self.name
        return self.of_name_fr or f"({self.display_name})"

    @property
    def of_code_fr(self):
        """ "de l'AG", "du CS", "de la COP", "de l'ECOSOC": the French code after the article
        its French name takes ("de l'Assemblée générale"), elided before a vowel."""
        code = self.code_fr or self.code
        articles = ("de la ", "de l'", "de l’", "du ", "des ")
        article = next((a for a in articles if self.of_name_fr.startswith(a)), "de ")
        if article in ("de la ", "du ", "de ") and code[:1].upper() in "AEIOUYÉÈÊÂÎÔ":
            article = "de l'"
        return article + code

    @property
    def holds_sessions(self):
        """Whether its texts are adopted at sessions. Every body here meets in sessions but the
        Security Council, which functions continuously (Charter, Art. 28): its resolutions
        have a meeting, never a session, so a page does not call its session unknown."""
        return self.code not in BODIES_WITHOUT_SESSIONS

    @property
    def has_symbols(self):
        """Whether its resolutions carry a document symbol of their own (A/RES/..., S/RES/...);
        the CCPCJ's and the Conference's are printed in the report of the session instead."""
        return bool(self.symbol_format)

    def match_number(self, number):
        return re.fullmatch(self.number_format, number)

    def symbol_for(self, number):
        return self.symbol_format.format(number=number) if self.symbol_format else ""


# --- Lookups used to tag paragraphs -----------------------------------------------------------


class LookupQuerySet(RecordQuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Lookup(Versioned):
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    name_fr = models.CharField(
        max_length=100, blank=True, help_text="The name in UN French usage, for French pages."
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = LookupQuerySet.as_manager()
    public = PublicManager.from_queryset(LookupQuerySet)()

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    @property
    def display_name(self):
        """The name in the page's language (the French one where recorded)."""
        return self.name_fr if get_language() == "fr" and self.name_fr else self.name


class Addressee(Lookup):
    """Whom a paragraph asks: UNODC, the Secretary-General, Member States, ..."""

    history = HistoricalRecords(excluded_fields=["version"])


class Activity(Lookup):
    """What a paragraph asks for: technical assistance, an expert group, data collection, ..."""

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta(Lookup.Meta):
        verbose_name_plural = _("activities")
