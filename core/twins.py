"""A record page's machine-readable twins: the record as JSON (its own address with ".json") and
as schema.org JSON-LD in the page itself. What every kind of record shares; each app builds its
own records' data in its twins.py, from what its page view has already read.

Unknown values are null (JSON) or left out (JSON-LD), never guessed. The JSON-LD needs no
remote context: its @context is schema.org's vocabulary, written inline.
"""

from django.http import JsonResponse

LD_CONTEXT = {"@vocab": "https://schema.org/"}


def or_none(value):
    """An empty text (a value not established) as null."""
    return value if value not in ("", None) else None


def iso(value):
    return value.isoformat() if value else None


def sources(record):
    """The record's sources, each with its kind (official, copy, secondary) and site."""
    return [
        {"kind": source.kind, "url": source.url, "host": source.host}
        for source in record.source_list
    ]


def verification(record):
    """How far the record is confirmed, as on its page."""
    return {
        "status": record.verification,
        "unverified_fields": list(record.unverified_fields or []),
        "note": or_none(record.verification_note),
        "last_changed": iso(record.updated_at),
    }


def record_id(url):
    """The JSON-LD identifier of the record a page is about (the page is its own node)."""
    return f"{url}#record"


def addresses(record, absolute):
    """A record's page and its JSON twin: {"url", "json"}, made absolute by `absolute`."""
    return {"url": absolute(record.get_absolute_url()), "json": absolute(record.get_json_url())}


def ld_ref(kind, url, name):
    """A JSON-LD reference to another record of the reference."""
    return {"@type": kind, "@id": record_id(url), "url": url, "name": name}


def ld(data):
    """JSON-LD with its context first, and without the keys whose value is not known."""
    return {"@context": LD_CONTEXT, **{k: v for k, v in data.items() if v not in (None, "", [])}}


class JsonTwinMixin:
    """For a record page's DetailView: the same record as JSON, read through the page's own
    queryset and object (so a record the page does not show, a draft, has no twin either).
    The view defines twin(): the data, built by its app's twins.py."""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return JsonResponse(self.twin(), json_dumps_params={"ensure_ascii": False, "indent": 1})
