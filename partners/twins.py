"""A partner's twins (core/twins.py): its JSON (/partners/unesco.json) and the schema.org
`Organization` its page embeds as JSON-LD, from what its page reads (PartnerDetailView.linked():
the published resolutions and paragraphs naming it, its tools and instruments)."""

from core.twins import addresses, iso, ld, ld_ref, or_none, record_id, sources, verification


def partner(p, linked, absolute):
    return {
        **addresses(p, absolute),
        "slug": p.slug,
        "acronym": p.acronym,
        "name": or_none(p.full_name),
        "headquarters": {
            "city": or_none(p.headquarters_city),
            "country": or_none(p.headquarters_country),
            "address": or_none(p.headquarters_address),
        },
        "founded": p.founded,
        "founding_detail": or_none(p.founding_detail),
        "member_states": or_none(p.member_states),
        "website": or_none(p.website),
        "verification": verification(p),
        "sources": sources(p),
        "tools": [
            {"name": t.name, "description": or_none(t.description), "url": or_none(t.url)}
            for t in linked["tools"]
        ],
        "resolutions": [
            {
                "body": r.body.code,
                "number": or_none(r.number),
                "symbol": or_none(r.symbol),
                "year": r.year,
                **addresses(r, absolute),
            }
            for r in linked["resolutions"]
        ],
        "paragraphs": [
            {"citation": para.citation, "url": absolute(para.get_absolute_url())}
            for para in linked["paragraphs"]
        ],
        "instruments": [
            {
                "slug": i.slug,
                "short_name": i.short_name,
                **addresses(i, absolute),
            }
            for i in linked["instruments"]
        ],
    }


def partner_ld(p, linked, absolute):
    """schema.org `Organization`: its name and acronym, website, year founded, headquarters,
    and the resolutions that name it (subjectOf)."""
    page_url = absolute(p.get_absolute_url())
    place = {
        k: v
        for k, v in (
            ("addressLocality", p.headquarters_city),
            ("addressCountry", p.headquarters_country),
            ("streetAddress", p.headquarters_address),
        )
        if v
    }
    return ld(
        {
            "@type": "Organization",
            "@id": record_id(page_url),
            "url": page_url,
            "mainEntityOfPage": page_url,
            "name": p.full_name or p.acronym,
            "alternateName": p.acronym,
            "sameAs": p.website,
            "foundingDate": str(p.founded) if p.founded else None,
            "address": {"@type": "PostalAddress", **place} if place else None,
            "subjectOf": [
                ld_ref("Legislation", absolute(r.get_absolute_url()), r.citation)
                for r in linked["resolutions"]
            ],
            "dateModified": iso(p.updated_at),
        }
    )
