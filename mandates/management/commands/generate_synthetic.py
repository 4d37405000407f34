"""Synthetic resolutions for load testing: realistic shapes, clearly marked, removable.

    python manage.py generate_synthetic --resolutions 10000
    python manage.py generate_synthetic --clear

Every synthetic resolution has is_synthetic=True, a title starting with "[Synthetic]" and a
verification note saying so; `make run` never loads them. --clear deletes them (with their
paragraphs and links, by cascade) and nothing else.
"""

import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from instruments.models import Instrument
from mandates.models import (
    Activity,
    Addressee,
    Body,
    Paragraph,
    Resolution,
    ResolutionCitation,
    ResolutionInstrument,
)
from pagecache import version
from partners.models import Partner

FIRST_YEAR, LAST_YEAR = 1990, 2026
BATCH = 2000
WORDS = [
    "cultural",
    "property",
    "trafficking",
    "crime",
    "prevention",
    "criminal",
    "justice",
    "responses",
    "protection",
    "heritage",
    "international",
    "cooperation",
    "technical",
    "assistance",
    "organized",
    "crime",
    "looting",
    "antiquities",
    "museums",
    "customs",
    "law",
    "enforcement",
    "mutual",
    "legal",
    "assistance",
    "restitution",
    "return",
    "provenance",
    "databases",
    "training",
    "awareness",
    "legislation",
    "illicit",
    "export",
    "import",
    "market",
    "due",
    "diligence",
]
NOTE = "Synthetic record generated for load testing; not a real resolution."


# body code: (share of the rows, first valid year, numbers a year, number format)
SHAPES = {
    "SC": (0.08, FIRST_YEAR, None, "{seq} ({year})"),
    "CCPCJ": (0.06, 1992, 80, "{session}/{n}"),
    "COP": (0.04, 2004, 80, "{session}/{n}"),
    "ECOSOC": (0.25, FIRST_YEAR, 900, "{year}/{n}"),
    "GA": (None, FIRST_YEAR, 9000, "{session}/{n}"),  # takes the rest
}
SESSION_BASE = {"CCPCJ": 1991, "COP": 2003, "GA": 1945}
SC_FIRST, SC_LAST = 3000, 9999  # real Security Council numbers stay below 3000 for decades


def plan(total, taken):
    """(code, year, number) rows in each body's own format, spread evenly over the years."""
    rows = []
    for code, (share, first_year, per_year, fmt) in SHAPES.items():
        years = list(range(first_year, LAST_YEAR + 1))
        if share is None:
            want = total - len(rows)
        else:
            capacity = SC_LAST - SC_FIRST + 1 if per_year is None else per_year * len(years)
            want = min(round(total * share), capacity)
        counters = dict.fromkeys(years, 0)
        i = 0
        while want > 0:
            year = years[i % len(years)]
            k = counters[year]
            counters[year] += 1
            if per_year is not None and k >= per_year:
                raise CommandError(f"Too many synthetic {code} resolutions for its number format.")
            number = fmt.format(
                seq=SC_FIRST + i,
                year=year,
                session=year - SESSION_BASE.get(code, 0),
                n=(100 if code == "ECOSOC" else 20 if code in ("CCPCJ", "COP") else 300) + k,
            )
            i += 1
            if (code, number) not in taken:
                rows.append((code, year, number))
                want -= 1
    return rows


class Command(BaseCommand):
    help = "Create (or --clear) synthetic resolutions for load testing."

    def add_arguments(self, parser):
        parser.add_argument("--resolutions", type=int, default=0)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--clear", action="store_true", help="Delete every synthetic record.")

    def handle(self, *args, resolutions, seed, clear, **options):
        if clear:
            with version.bulk_changes():  # one data-version change, not one a row (pagecache/)
                deleted = Resolution.objects.filter(is_synthetic=True).delete()[0]
            self.stdout.write(f"Deleted {deleted} synthetic rows.")
            return
        if resolutions <= 0:
            raise CommandError("Say how many: --resolutions N (or --clear).")
        bodies = {b.code: b for b in Body.objects.filter(code__in=SHAPES)}
        if len(bodies) < 5:
            raise CommandError(
                "Load the reference data first: python manage.py load_reference_data"
            )
        rng = random.Random(seed)
        # bulk_create sends no signals: bulk_changes() moves the data version on at the end, so
        # no cached page (pagecache/) outlives the new rows.
        with version.bulk_changes(), transaction.atomic():
            created = self.generate(resolutions, rng, bodies)
        self.stdout.write(f"Created {created} synthetic resolutions.")

    def generate(self, total, rng, bodies):
        rows = plan(total, set(Resolution.objects.values_list("body__code", "number")))
        created = []
        for start in range(0, len(rows), BATCH):
            batch = [
                Resolution(
                    body=bodies[code],
                    number=number,
                    slug=Resolution.slug_for(number),  # what save() sets; bulk_create skips it
                    symbol=bodies[code].symbol_for(number),
                    title="[Synthetic] " + " ".join(rng.sample(WORDS, 6)).capitalize(),
                    summary=" ".join(rng.choices(WORDS, k=40)).capitalize() + ".",
                    adopted_on=None if rng.random() < 0.1 else _date(rng, year),
                    year=year,
                    verification_note=NOTE,
                    is_synthetic=True,
                )
                for code, year, number in rows[start : start + BATCH]
            ]
            created += Resolution.objects.bulk_create(batch)
        self.link(created, rng)
        return len(created)

    def link(self, resolutions, rng):
        instruments = list(Instrument.objects.all())
        partners = list(Partner.objects.all())
        addressees = list(Addressee.objects.all())
        activities = list(Activity.objects.all())
        relations = [c for c, _ in ResolutionInstrument.Relation.choices]
        instrument_links, partner_links, citations, paragraphs = [], [], [], []
        PartnerLink = Resolution.partners.through
        for i, resolution in enumerate(resolutions):
            for instrument in rng.sample(instruments, rng.randint(0, 3)):
                instrument_links.append(
                    ResolutionInstrument(
                        resolution=resolution, instrument=instrument, relation=rng.choice(relations)
                    )
                )
            for partner in rng.sample(partners, rng.randint(0, 2)):
                partner_links.append(PartnerLink(resolution=resolution, partner=partner))
            for cited in {resolutions[rng.randrange(i)] for _ in range(rng.randint(0, 2)) if i}:
                citations.append(ResolutionCitation(citing=resolution, cited=cited))
            for number in range(1, rng.randint(0, 4) + 1):
                paragraphs.append(
                    Paragraph(
                        resolution=resolution,
                        number=number,
                        position=number,
                        summary=" ".join(rng.choices(WORDS, k=25)).capitalize() + ".",
                        verb=rng.choice(Paragraph.Verb.values),
                        verification_note=NOTE,
                    )
                )
        ResolutionInstrument.objects.bulk_create(instrument_links, batch_size=BATCH)
        PartnerLink.objects.bulk_create(partner_links, batch_size=BATCH)
        ResolutionCitation.objects.bulk_create(citations, batch_size=BATCH)
        paragraphs = Paragraph.objects.bulk_create(paragraphs, batch_size=BATCH)
        AddresseeLink = Paragraph.addressees.through
        ActivityLink = Paragraph.activities.through
        AddresseeLink.objects.bulk_create(
            [AddresseeLink(paragraph=p, addressee=rng.choice(addressees)) for p in paragraphs],
            batch_size=BATCH,
        )
        ActivityLink.objects.bulk_create(
            [ActivityLink(paragraph=p, activity=rng.choice(activities)) for p in paragraphs],
            batch_size=BATCH,
        )


def _date(rng, year):
    import datetime as dt

    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
