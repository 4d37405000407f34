"""The timeline's layout (/timeline/): every real mandate on one time axis, a row a body, with
the expert group meetings, as coordinates for explore/timeline.html, which draws the SVG."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from mandates.graph import FONT_SIZE, MARGIN, loop, resolution_node, svg_number

# --- The timeline --------------------------------------------------------------------------------

YEAR_WIDTH = 36
LABEL_WIDTH = 118
# The rows are named again at the right end, where a phone opens the timeline (on its most
# recent years: templates/explore/timeline.html).
RIGHT_LABEL_WIDTH = 112
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
        return " ".join(f"{svg_number(px)},{svg_number(py)}" for px, py in points)


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
    def right_label_x(self):
        return self.plot_x + self.plot_width + 12

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
    """What a mark says under it, without what its row (the body) and the axis (the year)
    say already: "2199" for "2199 (2015)", "66/180"; without a number, the day it was adopted
    ("13 Dec", « 13 déc. »), or where that is not known either, its kind ("res."). Its title
    and the table name it in full."""
    if resolution.number:
        return resolution.number.split(" (")[0]
    if resolution.adopted_on:
        return date_format(resolution.adopted_on, pgettext("day and month: 12 Feb", "j M"))
    return str(resolution.KIND_ABBREVIATIONS[resolution.kind])


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
                label=r.body.display_code,
                title=r.body.display_name,
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
    line.width = LABEL_WIDTH + line.plot_width + RIGHT_LABEL_WIDTH + MARGIN
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
        f"M{svg_number(source.x)} {svg_number(source.y)} C{svg_number(source.x)} {svg_number(mid)} "
        f"{svg_number(target.x)} {svg_number(mid)} {svg_number(target.x)} {svg_number(target.y)}"
    )


def _paths(start, following, seen=()):
    """Every path from `start` along the links, each ending where nothing follows (no cycles)."""
    seen = (*seen, start)
    nexts = [n for n in following.get(start, []) if n not in seen]
    if not nexts:
        return [list(seen)]
    return [path for n in nexts for path in _paths(n, following, seen)]
