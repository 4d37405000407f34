"""Resolutions from the UN Digital Library: its MARC21 XML export, read with pymarc.

The tags, as the UNBIS Reference Manual (the Dag Hammarskjöld Library's cataloguing rules) and
the Library's records define them:

- 001: the record's number in the Digital Library: https://digitallibrary.un.org/record/<001>.
- 191 $a: the document symbol ("A/RES/74/175", "S/RES/1483(2003)"). It names the body and the
  number: the body whose ``symbol_format`` it fits ("A/RES/{number}") is the adopting body;
  a symbol no body's format fits (a report, a meeting record, a decision) is not a resolution.
- 245 $a $b: the title and its remainder (ISBD punctuation, " :" or " /", trimmed).
- 992 $a: the date of adoption ("action date"), coded YYYYMMDD; a decision adopted on several
  days lists them, comma-separated: the first is taken.
- 996 $a: the note on the action taken: "Adopted without vote, 83rd plenary meeting",
  "Adopted unanimously, 4535th meeting", "Adopted 122-55-1, 77th plenary meeting". The
  meeting is what follows the comma; the note itself is kept as the adoption note.
- 269 (the document's own date) is not the date of adoption and is not used.

``plan(data)`` reads a file and sorts its records into those to create (unsaved, validated)
and those skipped with the reason; ``create(plan)`` saves the first as drafts, in one
transaction. Nothing is saved before the staff have seen the plan.
"""

import io
import re
import xml.sax
from dataclasses import dataclass, field

import pymarc
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from core.models import Status
from mandates.models import Body, Resolution

RECORD_URL = "https://digitallibrary.un.org/record/{}"
MAX_BYTES = 5 * 1024 * 1024
REASON = "Imported from the UN Digital Library"

CREATE, PRESENT, NOT_RESOLUTION, MALFORMED = "create", "present", "not-resolution", "malformed"


class BadFile(Exception):
    """The file as a whole cannot be read: nothing in it is imported."""


@dataclass
class Entry:
    """One record of the file, what it would become, or why it is skipped."""

    position: int
    outcome: str
    symbol: str = ""
    record_url: str = ""
    reason: str = ""
    resolution: Resolution | None = None
    details: dict = field(default_factory=dict)


def first(record, tag, code):
    for marc_field in record.get_fields(tag):
        for value in marc_field.get_subfields(code):
            if value and value.strip():
                return value.strip()
    return ""


def title_of(record):
    parts = [first(record, "245", "a"), first(record, "245", "b")]
    title = " ".join(p.rstrip(" :/;,.=").strip() for p in parts if p)
    return title.strip()


def adoption_date(value):
    value = value.split(",")[0].strip()
    if re.fullmatch(r"\d{8}", value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    try:
        return parse_date(value)
    except ValueError:
        return None


def meeting_and_mode(note):
    """The meeting and the adoption mode a 996 note gives:
    "Adopted without vote, 83rd plenary meeting" -> ("83rd plenary meeting", "without-vote")."""
    action, _comma, meeting = note.partition(",")
    action = action.lower()
    if "without vote" in action:
        mode = Resolution.AdoptionMode.WITHOUT_VOTE
    elif "unanimously" in action:
        mode = Resolution.AdoptionMode.UNANIMOUS
    else:
        mode = ""  # a count ("Adopted 122-55-1") does not say how the vote was taken
    return meeting.strip().rstrip("."), mode


def body_and_number(symbol, bodies):
    """(body, number) for a resolution symbol, else (None, "")."""
    compact = symbol.replace(" ", "")
    for body in bodies:
        prefix = body.symbol_format.split("{number}")[0] if body.symbol_format else ""
        if not prefix or not compact.startswith(prefix.replace(" ", "")):
            continue
        number = compact[len(prefix.replace(" ", "")) :]
        number = re.sub(r"(\d)\((\d{4})\)$", r"\1 (\2)", number)  # "1483(2003)" -> "1483 (2003)"
        if body.match_number(number):
            return body, number
    return None, ""


def read_records(data):
    if not data.strip():
        raise BadFile(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise BadFile(_("The file is larger than 5 MB: export fewer records at a time."))
    try:
        records = pymarc.parse_xml_to_array(io.BytesIO(data))
    except (xml.sax.SAXException, ValueError, UnicodeError) as error:
        raise BadFile(_("This is not well-formed XML (%(error)s).") % {"error": error}) from error
    records = [r for r in records if r is not None]
    if not records:
        raise BadFile(
            _(
                "No MARC21 record in this file: export the records as MARCXML "
                "from the UN Digital Library."
            )
        )
    return records


def entry_for(position, record, bodies, seen):
    symbol = first(record, "191", "a")
    entry = Entry(position, MALFORMED, symbol=symbol)
    if not symbol:
        entry.reason = _("No document symbol (191 $a).")
        return entry
    body, number = body_and_number(symbol, bodies)
    if body is None:
        entry.outcome, entry.reason = NOT_RESOLUTION, _("Not the symbol of a resolution.")
        return entry
    key = (body.pk, number)
    present = Resolution.objects.filter(body=body, number=number).first()
    if present is not None or key in seen:
        entry.outcome = PRESENT
        entry.reason = _("Already recorded: %(record)s.") % {"record": present or symbol}
        entry.resolution = present
        return entry
    seen.add(key)
    control = record.get("001")
    record_id = control.data.strip() if control is not None and control.data else ""
    if not record_id.isdigit():
        entry.reason = _("No Digital Library record number (001).")
        return entry
    entry.record_url = RECORD_URL.format(record_id)
    adopted_on = adoption_date(first(record, "992", "a"))
    if adopted_on is None:
        entry.reason = _("No readable date of adoption (992 $a, YYYYMMDD).")
        return entry
    note = first(record, "996", "a")
    meeting, mode = meeting_and_mode(note) if note else ("", "")
    resolution = Resolution(
        body=body,
        number=number,
        slug=Resolution.slug_for(number),
        symbol=body.symbol_for(number),
        title=title_of(record)[:500],
        adopted_on=adopted_on,
        year=adopted_on.year,
        meeting=meeting[:100],
        adoption_mode=mode,
        adoption_note=note[:300],
        session=f"{ordinal(int(number.split('/')[0]))} session of the {body.name}"
        if body.code == "GA"
        else "",
        sources=f"official {entry.record_url}",
        status=Status.DRAFT,
    )
    try:
        resolution.full_clean(exclude=["version"])
    except ValidationError as error:
        entry.reason = " ".join(m for messages in error.message_dict.values() for m in messages)
        return entry
    entry.outcome, entry.resolution = CREATE, resolution
    return entry


def ordinal(n):
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def plan(data):
    """Every record of the file as an Entry, in file order. Raises BadFile."""
    records = read_records(data)
    bodies = list(Body.objects.exclude(symbol_format=""))
    seen = set()
    return [entry_for(i, record, bodies, seen) for i, record in enumerate(records, start=1)]


def create(entries, user):
    """Save the entries to create as draft resolutions, all or none. Returns them."""
    created = []
    with transaction.atomic():
        for entry in entries:
            if entry.outcome != CREATE:
                continue
            resolution = entry.resolution
            resolution._history_user = user
            resolution._change_reason = REASON
            resolution.save()
            created.append(resolution)
    return created
