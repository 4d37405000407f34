"""The citation graph's layout (/graph/): every real resolution, by year, with the instruments
and partners it links to, as coordinates for explore/graph.html (the SVG is drawn by the
graph_svg macro of templates/mandates/includes/graph.html, as a record page's neighbourhood
is)."""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from mandates.graph import (
    EDGE_KINDS,
    MARGIN,
    PITCH,
    TOP,
    Band,
    Column,
    Edge,
    Graph,
    instrument_node,
    partner_node,
    resolution_node,
    route,
    stack,
    width_for,
)

GRAPH_CAP = 300  # nodes the citation graph draws at most

# --- The citation graph --------------------------------------------------------------------------

INSTRUMENT_WIDTH = 220
RESOLUTION_WIDTH = 128
BODY_GAP = 28
PARTNER_WIDTH = 104
SIDE_GAP = 96


def citation_graph(resolutions, cap=None):
    """Resolutions (from ResolutionQuerySet.for_graph(), at most cap + 1 of them), the
    instruments and partners they link to, and every typed link among them, laid out in
    columns: instruments | resolutions, one column a body, oldest at the top | partners.

    A citation is drawn only when both resolutions are in `resolutions`.
    """
    cap = GRAPH_CAP if cap is None else cap
    resolutions = list(resolutions)
    by_pk = {r.pk: resolution_node(r) for r in resolutions}
    instruments, partners, edges = {}, {}, []
    for r in resolutions:
        source = by_pk[r.pk]
        for link in r.instrument_links.all():
            target = instruments.get(link.instrument.slug)
            if target is None:
                target = instruments[link.instrument.slug] = instrument_node(link.instrument)
            edges.append(Edge(source, target, EDGE_KINDS[link.relation], link.note))
        for link in r.citation_links.all():
            if link.cited_id in by_pk:
                edges.append(
                    Edge(source, by_pk[link.cited_id], EDGE_KINDS[link.relation], link.note)
                )
        for partner in r.partners.all():
            target = partners.get(partner.slug)
            if target is None:
                target = partners[partner.slug] = partner_node(partner)
            edges.append(Edge(source, target, EDGE_KINDS["names"]))
    node_count = len(by_pk) + len(instruments) + len(partners)
    if len(resolutions) > cap or node_count > cap:
        return Graph(node_count=node_count, cap=cap, too_many=True)

    graph = Graph(edges=edges, node_count=node_count, cap=cap)
    # Resolution columns, one a body, in the bodies' order.
    bodies = {}
    for r in resolutions:
        bodies.setdefault(r.body.code, r.body)
    body_order = sorted(bodies, key=lambda code: (bodies[code].position, code))
    x = MARGIN
    instrument_x = x
    if instruments:
        graph.columns.append(Column(_("Instruments"), x, INSTRUMENT_WIDTH))
        x += INSTRUMENT_WIDTH + SIDE_GAP
    # A column is as wide as its longest name needs (a resolution without a number is named
    # by its date: "GA res. of 13 Dec 2018"), and never narrower than RESOLUTION_WIDTH.
    body_width = dict.fromkeys(body_order, RESOLUTION_WIDTH - 12)
    for r in resolutions:
        code = r.body.code
        body_width[code] = max(body_width[code], width_for(by_pk[r.pk].label))
    body_x = {}
    graph.band_x = x - 42
    for code in body_order:
        body_x[code] = x
        graph.columns.append(Column(bodies[code].display_code, x, body_width[code]))
        x += body_width[code] + 12 + BODY_GAP
    x -= BODY_GAP
    graph.band_width = x - graph.band_x + 12
    partner_x = x + SIDE_GAP
    if partners:
        graph.columns.append(Column(_("Partners"), partner_x, PARTNER_WIDTH))
        x = partner_x + PARTNER_WIDTH
    graph.width = x + MARGIN

    # Rows: one band a year, as tall as the most resolutions one body adopted that year.
    per_year = defaultdict(lambda: defaultdict(list))
    for r in resolutions:
        per_year[r.year][r.body.code].append(by_pk[r.pk])
    y = TOP
    for i, year in enumerate(sorted(per_year)):
        rows = max(len(nodes) for nodes in per_year[year].values())
        height = rows * PITCH + 6
        graph.bands.append(Band(str(year), y, height, shaded=i % 2 == 0))
        for code, nodes in per_year[year].items():
            for j, node in enumerate(nodes):  # already in chronological order
                node.x, node.y = body_x[code], y + 4 + j * PITCH
                node.width = body_width[code]
        y += height
    bottom = y

    # Instruments and partners sit level with the resolutions that link to them.
    for nodes, column_x, width in (
        (instruments, instrument_x, INSTRUMENT_WIDTH),
        (partners, partner_x, PARTNER_WIDTH),
    ):
        keys = {node.key for node in nodes.values()}
        linked = defaultdict(list)
        for edge in edges:
            if edge.target.key in keys:
                linked[edge.target.key].append(edge.source.cy)
        want = {key: sum(ys) / len(ys) for key, ys in linked.items()}
        for node in nodes.values():
            node.x, node.width = column_x, width
        bottom = max(bottom, stack(nodes.values(), want, TOP + 4))

    graph.height = bottom + MARGIN
    graph.nodes = [*instruments.values(), *by_pk.values(), *partners.values()]
    route(edges)
    return graph
