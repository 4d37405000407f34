"""Exports of exactly the filtered set of resolutions: every row, not one page.

CSV and JSON carry the same columns; BibTeX and RIS are for reference managers. Each names a
resolution as its page does (Resolution.name, .citation: "GA resolution of 6 December 2021"
where no number is known) and states its verification in the page's words
(Sourced.verification_statement), in the language of the address (/fr/resolutions/export.bib).
"""

import csv
import json
import re

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View

from mandates.filters import ResolutionFilter
from mandates.listing import ResolutionListing
from mandates.models import Resolution

COLUMNS = [
    "body",
    "number",
    "symbol",
    "title",
    "adopted_on",
    "year",
    "url",
    "instruments",
    "partners",
    "paragraphs",
    "verification",
    "relevance",
    "kind",
    "official_text",
    # In the language of the address (/fr/…: French), as the record page says them:
    "name",
    "citation",
    "verification_statement",
]
CHUNK = 2000  # rows fetched (with their prefetches) per round trip
# Feeds and exports may be kept this long by browsers and caches: a change shows within minutes.
CACHE_SECONDS = 300
# Classic BibTeX's month macros, which every standard style knows (`date` is biblatex's alone).
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
LINE_BREAKS = re.compile(r"[ \t\r\n\f\v]+")  # runs of ASCII white space; a no-break space stays


def as_row(resolution, base_url=""):
    """One resolution as export data (the JSON shape; CSV flattens the lists). `url` is
    absolute when base_url ("https://host") is given; paragraphs without an established number
    are null; the official text is linked in the page's language (/fr/ under /fr/)."""
    return {
        "body": resolution.body.code,
        "number": resolution.number,
        "symbol": resolution.symbol or None,
        "title": resolution.title or None,
        "adopted_on": resolution.adopted_on.isoformat() if resolution.adopted_on else None,
        "year": resolution.year,
        "url": base_url + resolution.get_absolute_url(),
        "instruments": [i.slug for i in resolution.instrument_list],
        "partners": [p.slug for p in resolution.partner_list],
        "paragraphs": [p.number for p in resolution.paragraph_list],
        "verification": resolution.verification,
        "relevance": resolution.relevance,
        "kind": resolution.kind,
        "official_text": resolution.official_text_url(),
        "name": capfirst(resolution.name),
        "citation": capfirst(resolution.citation),
        "verification_statement": resolution.verification_statement,
    }


class Echo:
    def write(self, value):
        return value


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_cells(row):
    cells = []
    for column in COLUMNS:
        value = row[column]
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        elif value is None:
            value = ""
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        cells.append(spreadsheet_safe(value))
    return cells


def bibtex_escape(text):
    out = []
    for char in text or "":
        if char in "{}\\":
            out.append({"{": r"\{", "}": r"\}", "\\": r"\textbackslash{}"}[char])
        elif char in "&%$#_":
            out.append("\\" + char)
        elif char in "~^":
            out.append({"~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}[char])
        else:
            out.append(char)
    return "".join(out)


def bibtex_entry(resolution, base_url):
    """A @misc entry as classic BibTeX styles and biblatex both read it: the title in double
    braces (styles keep its capitals: "United Nations", "UNESCO"), the corporate author in
    braces (never split into first and last names), `year` and `month` beside biblatex's
    `date`, the official text as `url` and `howpublished`, this record's page and its
    verification in `note`. Without a title, the title is its citation ("General Assembly
    resolution of 13 December 2018"); without a number or symbol, there is no `number`."""
    key = f"{resolution.body.slug}-{resolution.slug}"
    title = resolution.title or capfirst(resolution.citation)
    fields = [
        ("author", "{" + bibtex_escape(resolution.body.display_name) + "}"),
        ("title", "{" + bibtex_escape(title) + "}"),
        ("year", str(resolution.year)),
    ]
    if resolution.adopted_on:
        fields.append(("month", BIBTEX_MONTHS[resolution.adopted_on.month - 1]))
        fields.append(("date", resolution.adopted_on.isoformat()))
    if resolution.display_symbol or resolution.number:
        fields.append(("number", bibtex_escape(resolution.display_symbol or resolution.number)))
    official = resolution.official_text_url()
    if official:
        fields.append(("howpublished", official.replace("%", r"\%")))  # % starts a LaTeX comment
        fields.append(("url", official))
    notes = [bibtex_escape(capfirst(resolution.citation)) + "."]
    # Translators: the note of a BibTeX entry: where the record is, in this reference.
    page = base_url + resolution.get_absolute_url()
    notes.append(bibtex_escape(_("Mandate Reference: %(url)s") % {"url": page}))
    notes.append(bibtex_escape(resolution.verification_statement))
    fields.append(("note", " ".join(notes)))
    lines = [
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in fields
    ]
    return f"@misc{{{key},\n" + ",\n".join(lines) + "\n}\n"


def ris_entry(resolution, base_url):
    """A GOVDOC record: its title, or without one its citation, as TI; its symbol (or number)
    as M1, left out where neither is known; its citation and its verification as N1."""
    lines = [
        ("TY", "GOVDOC"),
        ("AU", resolution.body.display_name),
        ("TI", resolution.title or capfirst(resolution.citation)),
        ("PY", str(resolution.year)),
    ]
    if resolution.adopted_on:
        lines.append(("DA", resolution.adopted_on.strftime("%Y/%m/%d")))
    if resolution.display_symbol or resolution.number:
        lines.append(("M1", resolution.display_symbol or resolution.number))
    lines += [
        ("UR", base_url + resolution.get_absolute_url()),
        ("N1", capfirst(resolution.citation)),
        ("N1", resolution.verification_statement),
    ]
    lines.append(("ER", ""))
    # RIS is line-based: a value must not break its line (the no-break spaces of French
    # punctuation stay).
    return "".join(f"{tag}  - {LINE_BREAKS.sub(' ', value).strip()}\r\n" for tag, value in lines)


class ResolutionExportView(View):
    """/resolutions/export.<fmt> with the same parameters as the list."""

    FORMATS = {
        "csv": "text/csv; charset=utf-8",
        "json": "application/json",
        "bib": "application/x-bibtex; charset=utf-8",
        "ris": "application/x-research-info-systems; charset=utf-8",
    }

    def get(self, request, fmt):
        if fmt not in self.FORMATS:
            raise Http404(_("Exports come as CSV, JSON, BibTeX (.bib) or RIS (.ris)."))
        filterset = ResolutionFilter(
            request.GET, queryset=Resolution.public.for_list(), request=request
        )
        if not filterset.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
            )
            return HttpResponse(
                _("These filters could not be used: %(problems)s") % {"problems": problems} + "\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        resolutions = filterset.qs.iterator(chunk_size=CHUNK)
        base_url = request.build_absolute_uri("/").rstrip("/")
        response = getattr(self, f"render_{fmt}")(resolutions, base_url)
        filename = ResolutionListing(filterset).export_filename(fmt)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        return response

    def render_csv(self, resolutions, base_url):
        writer = csv.writer(Echo())

        def rows():
            yield "\ufeff"  # byte-order mark: spreadsheets then read the file as UTF-8
            yield writer.writerow(COLUMNS)
            for resolution in resolutions:
                yield writer.writerow(csv_cells(as_row(resolution, base_url)))

        return StreamingHttpResponse(rows(), content_type=self.FORMATS["csv"])

    def render_json(self, resolutions, base_url):
        results = [as_row(r, base_url) for r in resolutions]
        payload = {"count": len(results), "results": results}
        return HttpResponse(
            json.dumps(payload, ensure_ascii=False, indent=1),
            content_type=self.FORMATS["json"],
        )

    def render_bib(self, resolutions, base_url):
        return StreamingHttpResponse(
            (bibtex_entry(r, base_url) + "\n" for r in resolutions),
            content_type=self.FORMATS["bib"],
        )

    def render_ris(self, resolutions, base_url):
        return StreamingHttpResponse(
            (ris_entry(r, base_url) for r in resolutions), content_type=self.FORMATS["ris"]
        )
