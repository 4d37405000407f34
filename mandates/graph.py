"""The drawings of typed links: link and record kinds, nodes, edges, paths, and the layout of a
resolution's neighbourhood (its record page). The whole citation graph and the timeline are
laid out in explore/.

Pure Python: these functions read records that were already fetched (with the prefetches their
QuerySet methods make) and return nodes, edges and coordinates; the templates draw the SVG
(the macros of mandates/includes/graph.html, timeline.html). The same records always give the same
drawing: every order below ends on a unique key.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.html import conditional_escape
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Colours: 3:1 or better against white for lines (WCAG 1.4.11), 4.5:1 for text.
INSTRUMENT_COLOUR = "#005a9c"  # UN blue, 7.0:1
CITATION_COLOUR = "#6b2c91"  # purple, 8.6:1
PARTNER_COLOUR = "#1e6b34"  # green, 6.6:1
INK = "#1b2430"
INK_SOFT = "#4a5563"


def escape(value):
    """conditional_escape() for the record page's sentences (ResolutionDetailView, and the
    record page's template): to go with them into it."""
    return conditional_escape(value)


@dataclass(frozen=True)
class EdgeKind:
    """One type of link, told apart by colour, dash pattern, width and a label."""

    key: str
    label: str  # lowercase verb phrase: "GA 55/25 — adopts — UNTOC"
    family: str  # "instrument", "citation" or "partner": what the link points to
    colour: str
    width: float
    dash: str = ""  # stroke-dasharray; "" is a solid line

    @property
    def arrow(self):
        return f"arrow-{self.family}"


EDGE_KINDS = {
    kind.key: kind
    for kind in (
        EdgeKind("adopts", _("adopts"), "instrument", INSTRUMENT_COLOUR, 3),
        EdgeKind("endorses", _("endorses"), "instrument", INSTRUMENT_COLOUR, 2, "10 4"),
        EdgeKind("implements", _("implements"), "instrument", INSTRUMENT_COLOUR, 2, "10 3 2 3"),
        EdgeKind("refers-to", _("refers to"), "instrument", INSTRUMENT_COLOUR, 1.5, "2 4"),
        EdgeKind("recalls", _("recalls"), "citation", CITATION_COLOUR, 1.5),
        EdgeKind("reaffirms", _("reaffirms"), "citation", CITATION_COLOUR, 2, "10 4"),
        EdgeKind("welcomes", _("welcomes"), "citation", CITATION_COLOUR, 2, "2 4"),
        EdgeKind(
            "recommended-by",
            _("was adopted on the recommendation of"),
            "citation",
            CITATION_COLOUR,
            3,
            "12 3 3 3",
        ),
        EdgeKind("names", _("names"), "partner", PARTNER_COLOUR, 1.5, "6 2 1 2"),
    )
}


def families(kinds):
    """[(label, colour, [kinds])] of these edge kinds, by family, for the legend."""
    return [
        (label, colour, [k for k in kinds if k.family == family])
        for family, label, colour in FAMILIES
        if any(k.family == family for k in kinds)
    ]


FAMILIES = (
    ("instrument", _("Resolution to instrument"), INSTRUMENT_COLOUR),
    ("citation", _("Resolution to resolution"), CITATION_COLOUR),
    ("partner", _("Resolution to partner"), PARTNER_COLOUR),
)
NODE_KINDS = {
    # kind: (fill, stroke, corner radius): shapes differ as well as colours
    "resolution": ("#e6f0f8", INSTRUMENT_COLOUR, 4),
    "instrument": ("#ffffff", INK, 0),
    "partner": ("#e7f4ea", PARTNER_COLOUR, 13),
}

FONT_SIZE = 12
CHAR_WIDTH = 6.6  # average advance of a 12px system sans-serif character, for fitting labels
NODE_HEIGHT = 26
PITCH = 34  # vertical distance between stacked nodes
MARGIN = 16
TOP = 44  # room for the column headings


def fit(text, width, char_width=CHAR_WIDTH, padding=12):
    """The text, shortened with an ellipsis to fit `width` pixels."""
    room = max(int((width - padding) / char_width), 4)
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def width_for(text, char_width=CHAR_WIDTH, padding=12):
    """The width in whole pixels that fit() needs to show `text` whole."""
    return math.ceil(len(text) * char_width + padding)


def short(text, limit=120):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Node:
    key: tuple  # ("resolution", pk), ("instrument", slug), ("partner", slug): unique
    kind: str
    label: str  # as printed on the node: "GA 66/180"
    title: str  # the tooltip and accessible name
    url: str
    group: str = ""  # body code of a resolution
    x: float = 0
    y: float = 0
    width: float = 120
    height: float = NODE_HEIGHT

    @property
    def cy(self):
        return self.y + self.height / 2

    @property
    def right(self):
        return self.x + self.width

    @property
    def text_x(self):
        return self.x + 8

    @property
    def text_y(self):
        return self.y + self.height / 2 + FONT_SIZE * 0.35

    @property
    def shown_label(self):
        return fit(self.label, self.width)

    @property
    def fill(self):
        return NODE_KINDS[self.kind][0]

    @property
    def stroke(self):
        return NODE_KINDS[self.kind][1]

    @property
    def radius(self):
        return NODE_KINDS[self.kind][2]


@dataclass
class Edge:
    source: Node
    target: Node
    kind: EdgeKind
    note: str = ""
    d: str = ""  # the SVG path, once laid out

    @property
    def sentence(self):
        return f"{self.source.label} — {self.kind.label} — {self.target.label}"


@dataclass
class Column:
    label: str
    x: float
    width: float
    y: float = 22  # the heading's baseline: at the top, or over a group within the column

    @property
    def cx(self):
        return self.x + self.width / 2


@dataclass
class Band:
    """A horizontal stripe of the graph: one year of resolutions."""

    label: str
    y: float
    height: float
    shaded: bool

    @property
    def text_y(self):
        return self.y + 16


@dataclass
class Graph:
    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    columns: list = field(default_factory=list)
    bands: list = field(default_factory=list)
    width: float = 0
    height: float = 0
    band_x: float = 0
    band_width: float = 0
    node_count: int = 0
    cap: int = 0  # the most nodes it may draw (the citation graph's cap), 0 for no cap
    too_many: bool = False

    @property
    def band_text_x(self):
        return self.band_x + 4

    # The arrowheads' colours, one a family of links (the <marker>s of the graph_svg macro,
    # templates/mandates/includes/graph.html).
    arrows = (
        ("instrument", INSTRUMENT_COLOUR),
        ("citation", CITATION_COLOUR),
        ("partner", PARTNER_COLOUR),
    )

    @property
    def kinds(self):
        """The edge types drawn, in the legend's order."""
        used = {edge.kind.key for edge in self.edges}
        return [kind for key, kind in EDGE_KINDS.items() if key in used]

    @property
    def families(self):
        """[(label, colour, [kinds])] for the legend, only those drawn."""
        return families(self.kinds)

    @property
    def counts(self):
        kinds = defaultdict(int)
        for node in self.nodes:
            kinds[node.kind] += 1
        return dict(kinds)


# --- Nodes from records -------------------------------------------------------------------------


def resolution_node(resolution, url=None):
    # Its short name: "GA 66/180"; without a number, "GA res. of 13 Dec 2018".
    title = capfirst(resolution.citation)
    if resolution.number and str(resolution.year) not in resolution.number:
        title += f" ({resolution.year})"  # "… 74/175 (2019)"; "… 2199 (2015)" says it already
    if resolution.title:
        title = gettext("%(name)s: %(title)s") % {"name": title, "title": short(resolution.title)}
    return Node(
        key=("resolution", resolution.pk),
        kind="resolution",
        label=resolution.short_name,
        title=title,
        url=url or resolution.get_absolute_url(),
        group=resolution.body.code,
    )


def instrument_node(instrument, url=None):
    return Node(
        key=("instrument", instrument.slug),
        kind="instrument",
        label=instrument.short_name,
        title=instrument.title or instrument.short_name,
        url=url or instrument.get_absolute_url(),
    )


def partner_node(partner, url=None):
    return Node(
        key=("partner", partner.slug),
        kind="partner",
        label=partner.acronym,
        title=partner.full_name or partner.acronym,
        url=url or partner.get_absolute_url(),
    )


# --- Paths ---------------------------------------------------------------------------------------


def svg_number(value):
    """A coordinate as a path writes it: one decimal at most ("12.5", "40")."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def curve(x1, y1, x2, y2, bend=0.0):
    """A cubic Bézier leaving and arriving horizontally; `bend` shifts parallel edges apart."""
    k = max(abs(x2 - x1) / 2, 30)
    sign = 1 if x2 >= x1 else -1
    return (
        f"M{svg_number(x1)} {svg_number(y1)} C{svg_number(x1 + sign * k)} {svg_number(y1 + bend)} "
        f"{svg_number(x2 - sign * k)} {svg_number(y2 + bend)} {svg_number(x2)} {svg_number(y2)}"
    )


def loop(x, y1, y2, bulge):
    """An arc out to the right and back, between two nodes of the same column."""
    return (
        f"M{svg_number(x)} {svg_number(y1)} C{svg_number(x + bulge)} {svg_number(y1)} "
        f"{svg_number(x + bulge)} {svg_number(y2)} {svg_number(x)} {svg_number(y2)}"
    )


def connect(edge, bend=0.0):
    """The path of an edge between two laid-out nodes, from the sides that face each other."""
    s, t = edge.source, edge.target
    if abs(s.x - t.x) < 1:  # same column
        bulge = 24 + min(abs(t.cy - s.cy) * 0.1, 40) + abs(bend)
        return loop(s.right, s.cy, t.cy, bulge)
    if t.x > s.x:
        return curve(s.right, s.cy, t.x, t.cy, bend)
    return curve(s.x, s.cy, t.right, t.cy, bend)


def route(edges):
    """Set every edge's path; parallel edges between the same pair fan out."""
    pairs = defaultdict(list)
    for edge in edges:
        pairs[frozenset((edge.source.key, edge.target.key))].append(edge)
    for group in pairs.values():
        for i, edge in enumerate(group):
            edge.d = connect(edge, bend=(i - (len(group) - 1) / 2) * 16)


def stack(nodes, want, top, pitch=PITCH):
    """Place nodes in one column as near their wanted y as possible, in order, never overlapping."""
    order = sorted(nodes, key=lambda n: (want[n.key], n.label, str(n.key)))
    y = top
    for node in order:
        y = max(want[node.key] - node.height / 2, y)
        node.y = y
        y += pitch
    return y


# --- One resolution's neighbourhood --------------------------------------------------------------
# Two columns, narrow enough for a phone (about 330 px, drawn at its natural size in a 375 px
# screen, shrunk to fit where it must): the resolution on the left; on the right, what cites it,
# then what it cites or names, each group under its heading. Arrows point from the citing record
# to the cited one, so a link's direction needs no third column.

CENTRE_WIDTH = 112
SIDE_WIDTH = 150
HOOD_GAP = 40
GROUP_HEADING = 24  # room for a group's heading above its nodes


def neighbourhood(resolution, linked):
    """What cites `resolution` and what it recalls, adopts, endorses or names, beside it.
    `linked` is resolution.linked(): no query here, and each linked record's address is the
    `url` it carries."""
    centre = resolution_node(resolution)
    centre.width = max(CENTRE_WIDTH, width_for(centre.label))
    citing, cited, edges = {}, {}, []
    for link in sorted(
        linked["cited_by"],
        key=lambda c: (c.citing.year, c.citing.body.position, c.citing.number, c.relation),
    ):
        node = citing.get(link.citing_id)
        if node is None:
            node = citing[link.citing_id] = resolution_node(link.citing, link.citing.url)
        edges.append(Edge(node, centre, EDGE_KINDS[link.relation], link.note))
    for link in sorted(
        linked["cites"],
        key=lambda c: (c.cited.year, c.cited.body.position, c.cited.number, c.relation),
    ):
        node = cited.get(("resolution", link.cited_id))
        if node is None:
            node = cited[("resolution", link.cited_id)] = resolution_node(
                link.cited, link.cited.url
            )
        edges.append(Edge(centre, node, EDGE_KINDS[link.relation], link.note))
    for link in sorted(linked["instrument_links"], key=lambda i: (i.instrument.slug, i.relation)):
        key = ("instrument", link.instrument.slug)
        node = cited.get(key)
        if node is None:
            node = cited[key] = instrument_node(link.instrument, link.instrument.url)
        edges.append(Edge(centre, node, EDGE_KINDS[link.relation], link.note))
    for partner in sorted(linked["partners"], key=lambda p: p.acronym):
        node = cited[("partner", partner.slug)] = partner_node(partner, partner.url)
        edges.append(Edge(centre, node, EDGE_KINDS["names"]))
    if not edges:
        return None

    graph = Graph(edges=edges, node_count=1 + len(citing) + len(cited))
    # The side is wide enough for its resolutions' names (instruments' long names are cut).
    side = [*citing.values(), *cited.values()]
    side_width = max(
        [SIDE_WIDTH, *(width_for(node.label) for node in side if node.kind == "resolution")]
    )
    centre.x = MARGIN
    side_x = MARGIN + centre.width + HOOD_GAP
    graph.columns.append(Column(_("This resolution"), centre.x, centre.width))
    y = 8
    for label, group in ((_("Cited by"), citing), (_("It cites or names"), cited)):
        if not group:
            continue
        graph.columns.append(Column(label, side_x, side_width, y=y + 14))
        y += GROUP_HEADING
        for node in group.values():
            node.x, node.y, node.width = side_x, y, side_width
            y += PITCH
        y += 8
    middle = (side[0].cy + side[-1].cy) / 2
    centre.y = max(TOP, middle - centre.height / 2)
    graph.width = side_x + side_width + MARGIN
    graph.height = max(y, centre.y + centre.height) + MARGIN
    graph.nodes = [centre, *side]
    route(edges)
    return graph
