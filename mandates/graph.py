"""Layouts for the Explore pages: the citation graph, a resolution's neighbourhood, the timeline.

Pure Python: these functions read records that were already fetched (with the prefetches their
QuerySet methods make) and return nodes, edges and coordinates; the templates draw the SVG
(mandates/includes/graph_svg.html, timeline.html). The same records always give the same
drawing: every order below ends on a unique key.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.html import conditional_escape
from django.utils.translation import gettext_lazy as _

GRAPH_CAP = 300  # nodes the citation graph draws at most

# Colours: 3:1 or better against white for lines (WCAG 1.4.11), 4.5:1 for text.
INSTRUMENT_COLOUR = "#005a9c"  # UN blue, 7.0:1
CITATION_COLOUR = "#6b2c91"  # purple, 8.6:1
PARTNER_COLOUR = "#1e6b34"  # green, 6.6:1
INK = "#1b2430"
INK_SOFT = "#4a5563"


def escape(value):
    """conditional_escape() for the record page's sentences (ResolutionDetailView, and the
    record page's tags in mandates_tags.py): to go with them into its template."""
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


def fit(text, width, char_width=CHAR_WIDTH, padding=12):
    """The text, shortened with an ellipsis to fit `width` pixels."""
    room = max(int((width - padding) / char_width), 4)
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


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
    cap: int = GRAPH_CAP
    too_many: bool = False

    @property
    def band_text_x(self):
        return self.band_x + 4

    # The arrowheads' colours, one a family of links (the <marker>s of graph_svg.html).
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
    title = f"{resolution.citation} ({resolution.year})"
    if resolution.title:
        title += f": {short(resolution.title)}"
    return Node(
        key=("resolution", resolution.pk),
        kind="resolution",
        label=f"{resolution.body.code} {resolution.number}",
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


def _num(value):
    return f"{value:.1f}".rstrip("0").rstrip(".")


def curve(x1, y1, x2, y2, bend=0.0):
    """A cubic Bézier leaving and arriving horizontally; `bend` shifts parallel edges apart."""
    k = max(abs(x2 - x1) / 2, 30)
    sign = 1 if x2 >= x1 else -1
    return (
        f"M{_num(x1)} {_num(y1)} C{_num(x1 + sign * k)} {_num(y1 + bend)} "
        f"{_num(x2 - sign * k)} {_num(y2 + bend)} {_num(x2)} {_num(y2)}"
    )


def loop(x, y1, y2, bulge):
    """An arc out to the right and back, between two nodes of the same column."""
    return (
        f"M{_num(x)} {_num(y1)} C{_num(x + bulge)} {_num(y1)} "
        f"{_num(x + bulge)} {_num(y2)} {_num(x)} {_num(y2)}"
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


# --- The citation graph --------------------------------------------------------------------------

MARGIN = 16
INSTRUMENT_WIDTH = 220
RESOLUTION_WIDTH = 128
BODY_GAP = 28
PARTNER_WIDTH = 104
SIDE_GAP = 96
TOP = 44  # room for the column headings


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
        bodies.setdefault(r.body.code, (r.body.position, r.body.code))
    body_order = sorted(bodies, key=lambda code: bodies[code])
    x = MARGIN
    instrument_x = x
    if instruments:
        graph.columns.append(Column(_("Instruments"), x, INSTRUMENT_WIDTH))
        x += INSTRUMENT_WIDTH + SIDE_GAP
    body_x = {}
    graph.band_x = x - 42
    for code in body_order:
        body_x[code] = x
        graph.columns.append(Column(code, x, RESOLUTION_WIDTH - 12))
        x += RESOLUTION_WIDTH + BODY_GAP
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
                node.width = RESOLUTION_WIDTH - 12
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


# --- One resolution's neighbourhood --------------------------------------------------------------

SIDE_WIDTH = 190
CENTRE_WIDTH = 150
HOOD_GAP = 80


def neighbourhood(resolution, linked):
    """What cites `resolution` (left), the resolution (centre), and what it recalls, adopts,
    endorses or names (right). `linked` is resolution.linked(): no query here, and each linked
    record's address is the `url` it carries."""
    centre = resolution_node(resolution)
    centre.width = CENTRE_WIDTH
    left, right, edges = {}, {}, []
    for link in sorted(
        linked["cited_by"],
        key=lambda c: (c.citing.year, c.citing.body.position, c.citing.number, c.relation),
    ):
        node = left.get(link.citing_id)
        if node is None:
            node = left[link.citing_id] = resolution_node(link.citing, link.citing.url)
        edges.append(Edge(node, centre, EDGE_KINDS[link.relation], link.note))
    for link in sorted(
        linked["cites"],
        key=lambda c: (c.cited.year, c.cited.body.position, c.cited.number, c.relation),
    ):
        node = right.get(("resolution", link.cited_id))
        if node is None:
            node = right[("resolution", link.cited_id)] = resolution_node(
                link.cited, link.cited.url
            )
        edges.append(Edge(centre, node, EDGE_KINDS[link.relation], link.note))
    for link in sorted(linked["instrument_links"], key=lambda i: (i.instrument.slug, i.relation)):
        key = ("instrument", link.instrument.slug)
        node = right.get(key)
        if node is None:
            node = right[key] = instrument_node(link.instrument, link.instrument.url)
        edges.append(Edge(centre, node, EDGE_KINDS[link.relation], link.note))
    for partner in sorted(linked["partners"], key=lambda p: p.acronym):
        node = right[("partner", partner.slug)] = partner_node(partner, partner.url)
        edges.append(Edge(centre, node, EDGE_KINDS["names"]))
    if not edges:
        return None

    graph = Graph(edges=edges, node_count=1 + len(left) + len(right))
    x = MARGIN
    if left:
        graph.columns.append(Column(_("Cited by"), x, SIDE_WIDTH))
        for i, node in enumerate(left.values()):
            node.x, node.y, node.width = x, TOP + i * PITCH, SIDE_WIDTH
        x += SIDE_WIDTH + HOOD_GAP
    centre.x = x
    graph.columns.append(Column(_("This resolution"), x, CENTRE_WIDTH))
    x += CENTRE_WIDTH + HOOD_GAP
    if right:
        graph.columns.append(Column(_("It cites or names"), x, SIDE_WIDTH))
        for i, node in enumerate(right.values()):
            node.x, node.y, node.width = x, TOP + i * PITCH, SIDE_WIDTH
        x += SIDE_WIDTH
    rows = max(len(left), len(right), 1)
    centre.y = TOP + (rows - 1) * PITCH / 2
    graph.width = x + MARGIN
    graph.height = TOP + rows * PITCH + MARGIN
    graph.nodes = [*left.values(), centre, *right.values()]
    route(edges)
    return graph


# --- The timeline --------------------------------------------------------------------------------

YEAR_WIDTH = 36
LABEL_WIDTH = 118
AXIS_HEIGHT = 34
LANE = 34  # vertical room for one mark and the label under it
ROW_PAD = 12
MARK_CHAR_WIDTH = 6.2


@dataclass
class Mark:
    kind: str  # "resolution" or "meeting"
    key: tuple
    year: int
    label: str  # under the mark: "66/180", "2199", "No. 2"
    title: str
    url: str
    sort_key: tuple
    x: float = 0
    y: float = 0

    @property
    def label_y(self):
        return self.y + 18

    @property
    def diamond(self):
        """The points of a meeting's diamond."""
        x, y, r = self.x, self.y, 8
        points = ((x, y - r), (x + r, y), (x, y + r), (x - r, y))
        return " ".join(f"{_num(px)},{_num(py)}" for px, py in points)


@dataclass
class Row:
    key: str  # body code, or "meetings"
    label: str
    title: str
    url: str
    position: int = 0
    y: float = 0
    height: float = 0
    shaded: bool = False
    marks: list = field(default_factory=list)

    @property
    def label_y(self):
        return self.y + ROW_PAD + 4 + FONT_SIZE * 0.35


@dataclass
class Tick:
    year: int
    x: float
    labelled: bool
    decade: bool


@dataclass
class Connector:
    source: Mark  # the resolution that recommended the text
    target: Mark  # the resolution that adopted it
    d: str


@dataclass
class Timeline:
    rows: list = field(default_factory=list)
    ticks: list = field(default_factory=list)
    connectors: list = field(default_factory=list)
    chains: list = field(default_factory=list)  # [[record, record, ...]], oldest first
    by_year: list = field(default_factory=list)  # [(year, [resolutions], [meetings])]
    width: float = 0
    height: float = 0
    axis_y: float = 0
    bottom_axis_y: float = 0
    plot_x: float = LABEL_WIDTH
    plot_width: float = 0
    first_year: int = 0
    last_year: int = 0

    @property
    def body_rows(self):
        return [row for row in self.rows if row.key != "meetings"]

    @property
    def meeting_row(self):
        return next((row for row in self.rows if row.key == "meetings"), None)

    @property
    def marks(self):
        return [mark for row in self.rows for mark in row.marks]


def short_number(resolution):
    """The number without what the axis already says: "2199 (2015)" -> "2199"."""
    return resolution.number.split(" (")[0]


def lanes(marks):
    """Give each mark (sorted by x) the first lane where its label clears the one before."""
    ends = []
    placed = []
    for mark in marks:
        half = max(len(mark.label) * MARK_CHAR_WIDTH, 16) / 2 + 3
        start, end = mark.x - half, mark.x + half
        for lane, last_end in enumerate(ends):
            if start >= last_end:
                ends[lane] = end
                break
        else:
            lane = len(ends)
            ends.append(end)
        placed.append((mark, lane))
    return placed, max(len(ends), 1)


def timeline(resolutions, meetings, recommendations):
    """Every resolution on a time axis, one row a body; the expert group meetings in a row of
    their own; and "adopted on the recommendation of" links drawn between the marks they join.

    resolutions: ResolutionQuerySet.for_timeline(); meetings: ExpertGroupMeetingQuerySet.
    for_timeline(); recommendations: ResolutionCitationQuerySet.recommendations().
    """
    resolutions, meetings = list(resolutions), list(meetings)
    line = Timeline()
    years = [r.year for r in resolutions] + [m.starts_on.year for m in meetings]
    if not years:
        return line
    first, last = min(years), max(years)
    line.first_year, line.last_year = first, last

    def x_of(year):
        return LABEL_WIDTH + (year - first) * YEAR_WIDTH + YEAR_WIDTH / 2

    rows = {}
    for r in resolutions:
        row = rows.get(r.body.code)
        if row is None:
            row = rows[r.body.code] = Row(
                key=r.body.code,
                label=r.body.code,
                title=r.body.name,
                url=r.body.get_absolute_url(),
                position=r.body.position,
            )
        row.marks.append(
            Mark(
                kind="resolution",
                key=("resolution", r.pk),
                year=r.year,
                label=short_number(r),
                title=resolution_node(r).title,
                url=r.get_absolute_url(),
                sort_key=(r.year, r.adopted_on is None, r.adopted_on, r.number),
            )
        )
    ordered = sorted(rows.values(), key=lambda row: (row.position, row.key))
    if meetings:
        row = Row(
            key="meetings",
            label=_("Expert group"),
            title=meetings[0].group.name,
            url=meetings[0].group.get_absolute_url(),
        )
        for m in meetings:
            row.marks.append(
                Mark(
                    kind="meeting",
                    key=("meeting", m.pk),
                    year=m.starts_on.year,
                    label=_("No. %(number)s") % {"number": m.number},
                    title=f"{m.group.name}: {m}",
                    url=m.get_absolute_url(),
                    sort_key=(m.starts_on, m.group.name, m.number),
                )
            )
        ordered.append(row)

    y = AXIS_HEIGHT
    for i, row in enumerate(ordered):
        row.marks.sort(key=lambda m: m.sort_key)
        for mark in row.marks:
            mark.x = x_of(mark.year)
        placed, count = lanes(row.marks)
        for mark, lane in placed:
            mark.y = y + ROW_PAD + 8 + lane * LANE
        row.y, row.height, row.shaded = y, ROW_PAD * 2 + count * LANE, i % 2 == 0
        y += row.height
    line.rows = ordered
    line.axis_y = AXIS_HEIGHT
    line.bottom_axis_y = y
    line.plot_width = (last - first + 1) * YEAR_WIDTH
    line.width = LABEL_WIDTH + line.plot_width + MARGIN
    line.height = y + AXIS_HEIGHT
    step = 1 if last - first < 40 else 5
    line.ticks = [
        Tick(
            year,
            x_of(year),
            labelled=(year - first) % step == 0 or year == last,
            decade=year % 10 == 0,
        )
        for year in range(first, last + 1)
    ]

    # The path of a text: recommender -> adopter, drawn and listed as chains.
    marks = {mark.key: mark for mark in line.marks}
    records = {("resolution", r.pk): r for r in resolutions}
    following = defaultdict(list)
    adopted = set()
    for link in recommendations:
        source, target = ("resolution", link.cited_id), ("resolution", link.citing_id)
        if source not in marks or target not in marks:
            continue
        following[source].append(target)
        adopted.add(target)
        line.connectors.append(
            Connector(marks[source], marks[target], _chain_path(marks[source], marks[target]))
        )
    for start in sorted(following, key=lambda k: marks[k].sort_key):
        if start in adopted:
            continue
        for path in _paths(start, following):
            line.chains.append([records[key] for key in path])

    by_year = defaultdict(lambda: ([], []))
    for r in resolutions:
        by_year[r.year][0].append(r)
    for m in meetings:
        by_year[m.starts_on.year][1].append(m)
    line.by_year = [(year, *by_year[year]) for year in sorted(by_year)]
    return line


def _chain_path(source, target):
    if abs(source.x - target.x) < 1:  # same year: an arc out to the right
        bulge = 22 + abs(target.y - source.y) * 0.12
        return loop(source.x + 7, source.y, target.y, bulge)
    mid = (source.y + target.y) / 2
    return (
        f"M{_num(source.x)} {_num(source.y)} C{_num(source.x)} {_num(mid)} "
        f"{_num(target.x)} {_num(mid)} {_num(target.x)} {_num(target.y)}"
    )


def _paths(start, following, seen=()):
    """Every path from `start` along the links, each ending where nothing follows (no cycles)."""
    seen = (*seen, start)
    nexts = [n for n in following.get(start, []) if n not in seen]
    if not nexts:
        return [list(seen)]
    return [path for n in nexts for path in _paths(n, following, seen)]
