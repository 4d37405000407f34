"""A resolution's twins (core/twins.py): its JSON (/resolutions/sc/2199-2015.json) and the
schema.org `Legislation` its page embeds as JSON-LD. Both are built from what the record page
reads (Resolution.linked(): no query of their own); `absolute` makes an address absolute."""

from core.twins import addresses, iso, ld, ld_ref, or_none, record_id, sources, verification


def resolution_ref(resolution, absolute):
    """Another resolution, as a link to its page and its JSON."""
    return {
        "body": resolution.body.code,
        "number": or_none(resolution.number),
        "symbol": or_none(resolution.symbol),
        "year": resolution.year,
        "title": or_none(resolution.title),
        **addresses(resolution, absolute),
    }


def instrument_ref(instrument, absolute):
    return {
        "slug": instrument.slug,
        "short_name": instrument.short_name,
        "title": or_none(instrument.title),
        **addresses(instrument, absolute),
    }


def partner_ref(partner, absolute):
    return {
        "slug": partner.slug,
        "acronym": partner.acronym,
        "name": or_none(partner.full_name),
        **addresses(partner, absolute),
    }


def lookups(tags):
    """Addressees or activities: their keys and names (the French one where recorded)."""
    return [{"slug": tag.slug, "name": tag.name, "name_fr": or_none(tag.name_fr)} for tag in tags]


def paragraph(p, page_url, absolute):
    return {
        "number": p.number,
        "position": p.position,
        "url": f"{page_url}#{p.anchor}",
        "citation": p.citation,
        "summary": or_none(p.summary),
        "verb": or_none(p.verb),
        "addressees": lookups(p.addressee_tags),
        "assistance_named": lookups(p.assisting_tags),
        "activities": lookups(p.activity_tags),
        "partners": [partner_ref(partner, absolute) for partner in p.named_partners],
        "cited_by_unodc": p.cited_on_page,
        "in_annex": p.in_annex,
        "verification": verification(p),
        "sources": sources(p),
    }


def resolution(r, linked, absolute):
    """The record (its facts, the unknown ones null), its paragraphs, its typed links both
    ways, its sources with their kinds and how far it is confirmed: what its page shows."""
    page_url = absolute(r.get_absolute_url())
    body = r.body
    return {
        "url": page_url,
        "json": absolute(r.get_json_url()),
        "body": {
            "code": body.code,
            "name": body.name,
            "name_fr": or_none(body.name_fr),
            "url": absolute(body.get_absolute_url()),
        },
        "kind": r.kind,
        "number": or_none(r.number),
        "symbol": or_none(r.symbol),
        "contained_in": (
            {"symbol": r.contained_in, "title": or_none(r.contained_in_title)}
            if r.contained_in
            else None
        ),
        "title": or_none(r.title),
        "adopted_on": iso(r.adopted_on),
        "year": r.year,
        "session": or_none(r.session),
        "meeting": or_none(r.meeting),
        "adoption_mode": or_none(r.adoption_mode),
        "adoption_note": or_none(r.adoption_note),
        "press_release": or_none(r.press_release),
        "summary": or_none(r.summary),
        "relevance": r.relevance,
        "citation": r.citation,
        "official_text": {code: url for code, _name, url in r.official_links} or None,
        "official_url": or_none(r.official_url),
        "publication": r.status,
        "verification": verification(r),
        "sources": sources(r),
        "paragraphs": [paragraph(p, page_url, absolute) for p in linked["paragraphs"]],
        "instruments": [
            {
                "relation": link.relation,
                "instrument": instrument_ref(link.instrument, absolute),
                "note": or_none(link.note),
            }
            for link in linked["instrument_links"]
        ],
        "partners": [partner_ref(partner, absolute) for partner in linked["partners"]],
        "cites": [
            {
                "relation": link.relation,
                "resolution": resolution_ref(link.cited, absolute),
                "note": or_none(link.note),
            }
            for link in linked["cites"]
        ],
        "cited_by": [
            {
                "relation": link.relation,
                "resolution": resolution_ref(link.citing, absolute),
                "note": or_none(link.note),
            }
            for link in linked["cited_by"]
        ],
        "expert_group_meetings": [
            {
                "number": meeting.number,
                "starts_on": iso(meeting.starts_on),
                "ends_on": iso(meeting.ends_on),
                "place": meeting.place,
                "report_symbol": or_none(meeting.report_symbol),
                "url": absolute(meeting.get_absolute_url()),
            }
            for meeting in linked["meetings"]
        ],
        "unodc_page_entries": [
            {
                "position": entry.position,
                "title": entry.title,
                "match": entry.mapping_confidence,
            }
            for entry in linked["page_entries"]
        ],
        "open_questions": [
            {"question": q.question, "status": or_none(q.status), "settled": q.resolved}
            for q in linked["open_questions"]
        ],
    }


def resolution_ld(r, linked, absolute):
    """schema.org `Legislation`: identifier (the symbol, else the number), date, the body that
    passed it, the report it is part of, what it cites, the partners it names, its
    paragraphs and its official texts."""
    page_url = absolute(r.get_absolute_url())
    body_url = absolute(r.body.get_absolute_url())
    official = r.official_links
    cited = [
        ld_ref("Legislation", absolute(link.cited.url), link.cited.citation)
        for link in linked["cites"]
    ]
    cited += [
        ld_ref("Legislation", absolute(link.instrument.url), link.instrument.title)
        for link in linked["instrument_links"]
    ]
    return ld(
        {
            "@type": "Legislation",
            "@id": record_id(page_url),
            "url": page_url,
            "mainEntityOfPage": page_url,
            "name": r.title or r.citation,
            "alternateName": r.citation,
            "legislationType": r.get_kind_display(),
            "legislationIdentifier": r.symbol or r.number or None,
            "legislationDate": iso(r.adopted_on),
            "legislationPassedBy": {
                "@type": "Organization",
                "@id": record_id(body_url),
                "url": body_url,
                "name": r.body.display_name,
                "alternateName": r.body.display_code,
            },
            "isPartOf": (
                {
                    "@type": "CreativeWork",
                    "identifier": r.contained_in,
                    **({"name": r.contained_in_title} if r.contained_in_title else {}),
                }
                if r.contained_in and not r.symbol
                else None
            ),
            "abstract": r.summary,
            "citation": cited,
            "mentions": [
                ld_ref("Organization", absolute(partner.url), partner.full_name)
                for partner in linked["partners"]
            ],
            "hasPart": [
                {
                    "@type": "CreativeWork",
                    "@id": f"{page_url}#{p.anchor}",
                    "name": p.citation,
                    **({"abstract": p.summary} if p.summary else {}),
                }
                for p in linked["paragraphs"]
            ],
            "inLanguage": [code for code, _name, _url in official],
            "workExample": [
                {"@type": "CreativeWork", "inLanguage": code, "url": url}
                for code, _name, url in official
            ],
            "dateModified": iso(r.updated_at),
        }
    )
