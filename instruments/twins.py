"""An instrument's twins (core/twins.py): its JSON (/instruments/untoc.json) and the schema.org
`Legislation` its page embeds as JSON-LD, from what its page reads (InstrumentDetailView.
linked(): the published resolutions linked to it, its protocols and partners)."""

from core.twins import addresses, iso, ld, ld_ref, or_none, record_id, sources, verification


def instrument(i, linked, absolute):
    return {
        **addresses(i, absolute),
        "slug": i.slug,
        "short_name": i.short_name,
        "title": or_none(i.title),
        "kind": i.kind,
        "binding": i.is_treaty,
        "adopted_by": or_none(i.adopted_by),
        "adopted_on": iso(i.adopted_on),
        "adoption_place": or_none(i.adoption_place),
        "opened_for_signature": or_none(i.opened_for_signature),
        "entry_into_force": iso(i.entry_into_force),
        "entry_into_force_condition": or_none(i.entry_into_force_condition),
        "depositary": or_none(i.depositary),
        "signatories": i.signatories,
        "parties": (
            {"count": i.parties_count, "as_of": i.parties_as_of, "note": or_none(i.parties_note)}
            if i.parties_count is not None
            else None
        ),
        "protocol_to": (
            {"slug": i.parent.slug, "url": absolute(i.parent.get_absolute_url())}
            if i.parent
            else None
        ),
        "protocols": [
            {"slug": p.slug, "url": absolute(p.get_absolute_url())} for p in linked["protocols"]
        ],
        "treaty_series": or_none(i.treaty_series),
        "document_symbol": or_none(i.document_symbol),
        "official_url": or_none(i.official_url),
        "summary": or_none(i.summary),
        "verification": verification(i),
        "sources": sources(i),
        "resolutions": [
            {
                "relation": link.relation,
                "resolution": {
                    "body": link.resolution.body.code,
                    "number": or_none(link.resolution.number),
                    "symbol": or_none(link.resolution.symbol),
                    "year": link.resolution.year,
                    **addresses(link.resolution, absolute),
                },
                "note": or_none(link.note),
            }
            for link in linked["links"]
        ],
        "partners": [
            {
                "slug": p.slug,
                "acronym": p.acronym,
                **addresses(p, absolute),
            }
            for p in linked["partners"]
        ],
    }


def instrument_ld(i, linked, absolute):
    """schema.org `Legislation`: the instrument's title, kind, date, who adopted it, the
    convention a protocol belongs to (isPartOf) and its protocols (hasPart)."""
    page_url = absolute(i.get_absolute_url())
    return ld(
        {
            "@type": "Legislation",
            "@id": record_id(page_url),
            "url": page_url,
            "mainEntityOfPage": page_url,
            "name": i.title or i.short_name,
            "alternateName": i.short_name,
            "legislationType": i.get_kind_display(),
            "legislationIdentifier": i.document_symbol,
            "legislationDate": iso(i.adopted_on),
            "legislationDateOfApplicability": iso(i.entry_into_force),
            "legislationPassedBy": (
                {"@type": "Organization", "name": i.adopted_by} if i.adopted_by else None
            ),
            "isPartOf": (
                ld_ref("Legislation", absolute(i.parent.get_absolute_url()), i.parent.title)
                if i.parent
                else None
            ),
            "hasPart": [
                ld_ref("Legislation", absolute(p.get_absolute_url()), p.title)
                for p in linked["protocols"]
            ],
            "abstract": i.summary,
            "workExample": (
                [{"@type": "CreativeWork", "url": i.official_url}] if i.official_url else None
            ),
            "dateModified": iso(i.updated_at),
        }
    )
