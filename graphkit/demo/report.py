"""The demo's findings in plain language (`summary`), and as a self-contained HTML page with
the tables and a timeline chart (`write_html`).

Each finding gives its numbers, then the suspicious reading and the benign one side by
side: the point of the case is that both must be visible.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from graphkit.demo.paths_svg import paths_svg
from graphkit.demo.run import Findings, Ran

OTHERS = "other resolvers"
WIDTH = 100  # columns of the printed summary
COLOURS = {0: "#b03a2e", 1: "#2e86c1", OTHERS: "#95a5a6"}

CONCLUSIONS = (
    "The FBI looked into the lookups in 2016 and, as The New York Times reported on 31 October 2016, "
    "found that there could be an innocuous explanation, such as marketing email or spam.",
    "The Senate Intelligence Committee (2020) did not find that the DNS activity reflected substantive or covert "
    "communications between the bank and the Trump Organization, but could not fully explain the activity either.",
)


# -- small helpers ------------------------------------------------------------------------------


def percent(share: float) -> str:
    return f"{100 * share:.2f}%"


def when(stamp: str | None) -> str:
    """'2016-09-23T16:41:09Z' -> '2016-09-23 16:41 UTC'."""
    if not stamp:
        return "unknown"
    return stamp.replace("T", " ")[:16] + " UTC" if "T" in stamp else stamp


def day_of(stamp: str | None) -> date | None:
    return date.fromisoformat(stamp[:10]) if stamp else None


def series_label(findings: Findings, source: str) -> str | int:
    """Which line of the chart a source belongs to: 0 and 1 for the top two, else OTHERS."""
    top = [s.name for s in findings.top_two]
    return top.index(source) if source in top else OTHERS


def series_names(findings: Findings) -> dict[str | int, str]:
    names: dict[str | int, str] = {i: s.name for i, s in enumerate(findings.top_two)}
    names[OTHERS] = OTHERS
    return names


def weekly_series(findings: Findings) -> tuple[list[str], dict[str | int, list[int]]]:
    """Weeks (Mondays, in order) and lookups per week for the top two sources and the rest."""
    weeks = sorted({str(r["bucket"]) for r in findings.weekly})
    index = {week: i for i, week in enumerate(weeks)}
    series: dict[str | int, list[int]] = defaultdict(lambda: [0] * len(weeks))
    for row in findings.weekly:
        series[series_label(findings, row["source"])][index[str(row["bucket"])]] += int(row["lookups"])
    return weeks, dict(series)


def _busiest(weeks: list[str], counts: list[int]) -> tuple[str, int]:
    best = max(range(len(weeks)), key=lambda i: (counts[i], -i))
    return weeks[best], counts[best]


def _quietest(weeks: list[str], counts: list[int]) -> tuple[str, int]:
    low = min(range(len(weeks)), key=lambda i: (counts[i], i))
    return weeks[low], counts[low]


def _days_between(first: str | None, second: str | None) -> int | None:
    a, b = day_of(first), day_of(second)
    return (b - a).days if a and b else None


def _count_word(n: int) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return words[n] if 0 <= n < len(words) else f"{n:,}"


# -- the plain-language summary -------------------------------------------------------------------


Section = tuple[str, list[str], str, str]  # title, fact lines, suspicious reading, benign reading


def _concentration(f: Findings) -> Section:
    facts = [f"{f.total:,} lookups of {f.name} in the authoritative logs:"]
    for source in f.top_two:
        facts.append(f"  {source.name}: {source.lookups:,} ({percent(source.share)}) from {', '.join(source.clients)}")
    others = f.sources[2:]
    if others:
        rest = sum(s.lookups for s in others)
        facts.append(f"  {len(others)} other resolvers: {rest:,} ({percent(rest / f.total)})")
    facts.append(
        f"Top source {percent(f.top_share)}; top two together {percent(f.top2_share)}; "
        f"concentration index (HHI) {f.hhi:.2f} (1 = a single source)."
    )
    who = " and ".join(s.name for s in f.top_two) or "a few resolvers"
    return (
        "Who looked the name up",
        facts,
        f"A marketing mail server's name was looked up almost only by {who}, as if systems inside "
        "them were talking to it.",
        "A resolver looks a name up whenever mail from or about that server is handled behind it: marketing "
        "mail, spam filtering or a security product scanning messages inside two organizations can produce "
        "the same concentration. Lookups show that a name was resolved, not what, if anything, was sent.",
    )


def _parties(f: Findings) -> Section:
    facts = [
        f"{f.domain}: registrant {f.registrant or 'unknown'}; administrative contact {f.admin or 'unknown'}.",
        f"Its name servers ({', '.join(f.nameservers) or 'none known'}) are run by "
        f"{f.nameserver_operator or 'an unknown operator'}.",
        f"{f.name} resolves to {f.mail_address or 'no known address'}, operated by "
        f"{f.mail_operator or 'an unknown operator'}.",
    ]
    parties = {p for p in (f.registrant, f.nameserver_operator, f.mail_operator) if p}
    return (
        "Who stands behind it",
        facts,
        f"The server carries the {f.registrant} name, so lookups of it look like contact with {f.registrant}.",
        f"{_count_word(len(parties)).capitalize()} different parties: the registrant's name is on the domain, "
        f"but a marketing firm ({f.nameserver_operator}) runs its DNS and a subcontractor ({f.mail_operator}) "
        "runs the mail server. That is how outsourced hotel and corporate marketing mail is usually set up.",
    )


def _same_server(f: Findings) -> Section:
    facts = []
    if f.successor:
        gap = _days_between(f.record_last_seen, f.successor["first_seen"])
        facts.append(
            f"{f.mail_address} also carries {f.successor['name']}, first seen {when(f.successor['first_seen'])}, "
            f"{gap} days after {f.name} was last seen ({when(f.record_last_seen)})."
        )
    if f.neighbours:
        names = ", ".join(n["name"] for n in f.neighbours)
        facts.append(
            f"{len(f.neighbours)} other names in {f.neighbours[0]['shared']} follow the [client]-email.com "
            f"pattern: {names}."
        )
    return (
        "The same server under another name",
        facts,
        "A new name appeared on the same server days after the old one was deleted, as if a channel were "
        "being moved once questions were asked.",
        "The address is a shared marketing mail platform that sends for many clients under per-client names; "
        "operators rename and move such hosts routinely.",
    )


def _rare_name(f: Findings) -> Section:
    facts = [f"{r['name']}: {r['total']:,} lookups from only {r['clients']} client addresses." for r in f.rare]
    if f.other_names:
        clients = [n["clients"] for n in f.other_names]
        totals = [n["total"] for n in f.other_names]
        facts.append(
            f"The {len(f.other_names)} other marketing hosts in the same netblock: {min(totals):,}-{max(totals):,} "
            f"lookups each, from {min(clients)}-{max(clients)} client addresses."
        )
    return (
        "A rare name",
        facts,
        "Mail sent to the public is looked up by many resolvers; a name looked up thousands of times by a "
        "handful of them looks like traffic meant for those few.",
        "A single campaign sent to a few organizations, a mail filter that re-checks the same message, or one "
        "mail system retrying a server that refuses it can all concentrate lookups in a few resolvers.",
    )


def _timeline(f: Findings) -> Section:
    weeks, series = weekly_series(f)
    facts = []
    for i, source in enumerate(f.top_two):
        counts = series.get(i, [0] * len(weeks))
        busy, quiet = _busiest(weeks, counts), _quietest(weeks, counts)
        active = sum(1 for c in counts if c)
        facts.append(
            f"{source.name}: lookups in {active} of {len(weeks)} weeks, busiest the week of {busy[0]} ({busy[1]:,}), "
            f"quietest the week of {quiet[0]} ({quiet[1]:,}); first {when(source.first_seen)}, last "
            f"{when(source.last_seen)}."
        )
    facts.append(
        f"{f.name} -> {f.mail_address} last seen {when(f.record_last_seen)}; the PTR record of {f.mail_address} "
        f"still named it until {when(f.ptr_last_seen)}."
    )
    if f.successor:
        facts.append(f"{f.successor['name']} -> {f.mail_address} first seen {when(f.successor['first_seen'])}.")
    facts.append("(The times of day and the weekly pattern are synthetic; see the case README.)")
    return (
        "The timeline",
        facts,
        "Lookups stopped when the name was deleted, two days after The New York Times asked the bank about it "
        "(as reported), and a new name for the same server followed four days later.",
        "A deleted name stops being looked up by definition, and bursts and quiet weeks are what mail campaigns "
        "look like; a stale PTR record outliving its forward record is common housekeeping lag.",
    )


def _connections(f: Findings) -> Section:
    facts = []
    through_lookups = True
    for label, paths in f.paths.items():
        if not paths:
            facts.append(f"{label}: no path within 6 hops.")
            continue
        facts.append(f"{label}: {len(paths)} shortest path(s) of {paths[0].hops} hops, e.g.")
        facts.append(f"  {paths[0].text()}")
        if f.registrant and label.endswith(f"-> {f.registrant}"):
            through_lookups = through_lookups and all("-[LOOKED_UP]->" in p.steps for p in paths)
    benign = (
        f"Every shortest path from a querying organization to {f.registrant} runs through DNS lookups of the "
        "marketing server: the graph holds no shorter link through registration, hosting or contact details."
        if through_lookups
        else f"Some paths to {f.registrant} do not run through the lookups: look at them before reading more in."
    )
    return (
        "Paths between the organizations",
        facts,
        f"There is a chain in the graph from each querying organization to {f.registrant}: its resolvers, "
        f"the {f.registrant}'s marketing server, the {f.registrant}'s domain.",
        benign,
    )


def _communities(f: Findings) -> Section | None:
    c = f.community
    top = f.top_two
    if c is None or not top or not set(top[0].clients) <= set(c.members):
        return None  # the data does not put the top source's resolvers together: nothing to say
    orgs = [s for s in f.sources if s.kind == "organization" and set(s.clients) <= set(c.members)]
    named = [f"{s.name} ({', '.join(s.clients)})" for s in orgs]
    others = set(c.members).difference(*(s.clients for s in orgs))
    facts = [
        f"graphkit analyze communities (Louvain, clients linked by the names they both looked up, rare names "
        f"weighing more) splits the {c.clients} client addresses into {c.communities} communities.",
        f"Community {c.number} has {len(c.members)} members: {'; '.join(named)}"
        + (f"; and {len(others)} other addresses" if others else "")
        + ".",
        f"The names its members share with one another: {', '.join(c.shared_names)}.",
    ]
    only_name = c.shared_names == [f.name]
    return (
        "Groups of clients",
        facts,
        f"Left to group the {c.clients} clients by what they look up, the algorithm puts "
        f"{' and '.join(s.name for s in top)} together, apart from everyone else.",
        (
            f"The community is tied together by {f.name} alone: it restates the rare-name finding (few clients, "
            "many lookups), it is not a second piece of evidence, and it says nothing about contact between "
            "its members. A community is a lead to check, not a link."
        )
        if only_name
        else "A community is a lead to check, not a link: the shared names above are the evidence, and each "
        "may have an innocent reason of its own.",
    )


def sections(findings: Findings) -> list[Section]:
    """Each finding: its title, its facts with their numbers, the suspicious and the benign reading."""
    steps = (_concentration, _parties, _same_server, _rare_name, _timeline, _connections, _communities)
    return [section for step in steps if (section := step(findings)) is not None]


def _wrap(text: str, indent: str, hanging: str = "") -> list[str]:
    """One paragraph at WIDTH columns; continuation lines indented by `hanging` more."""
    lead = indent + " " * (len(text) - len(text.lstrip()))
    return textwrap.wrap(text.strip(), WIDTH, initial_indent=lead, subsequent_indent=lead + hanging,
                         break_long_words=False, break_on_hyphens=False)  # fmt: skip


def summary(findings: Findings, *, store: str | None = None) -> str:
    lines = [f"The 2016 case: who looked up {findings.name}, and who stands behind it"]
    if store:
        lines.append(f"(store: {store}; what is reported and what is synthetic: graphkit/demo/case2016/README.md)")
    for number, (title, facts, suspicious, benign) in enumerate(sections(findings), 1):
        lines += ["", f"{number}. {title}"]
        for fact in facts:
            lines += _wrap(fact, "   ", "  ")
        lines += _wrap(f"Suspicious reading: {suspicious}", "   ", "  ")
        lines += _wrap(f"Benign reading: {benign}", "   ", "  ")
    lines += ["", "What investigators concluded"]
    for text in CONCLUSIONS:
        lines += _wrap(text, "   ", "  ")
    return "\n".join(lines) + "\n"


# -- the chart ------------------------------------------------------------------------------------


def timeline_png(findings: Findings) -> bytes:
    """Weekly lookups per source, stacked, with the record's deletion and the successor name marked."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    weeks, series = weekly_series(findings)
    x = [datetime.fromisoformat(w) for w in weeks]
    figure = Figure(figsize=(10, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bottom = [0] * len(weeks)
    names = series_names(findings)
    for key in (0, 1, OTHERS):
        if key not in series:
            continue
        counts = series[key]
        axes.bar(x, counts, width=6, bottom=bottom, align="edge", color=COLOURS[key], label=names[key])  # type: ignore[arg-type]
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    marks = [
        (findings.record_last_seen, f"{findings.name} last seen"),
        (
            findings.successor["first_seen"] if findings.successor else None,
            f"{findings.successor['name']} first seen" if findings.successor else "",
        ),
    ]
    for stamp, text in marks:
        if stamp:
            moment = datetime.fromisoformat(stamp.replace("Z", ""))
            axes.axvline(moment, color="#333333", linestyle="--", linewidth=1)  # type: ignore[arg-type]
            axes.annotate(text, (moment, max(bottom) * 0.95), rotation=90, ha="right", va="top", fontsize=8)  # type: ignore[arg-type]
    axes.set_title(f"Weekly lookups of {findings.name} by source (synthetic timestamps)", fontsize=11)
    axes.set_ylabel("lookups per week")
    axes.legend(loc="upper left", fontsize=8)
    axes.grid(axis="y", alpha=0.3)
    figure.autofmt_xdate()
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


# -- the HTML page --------------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, -apple-system, Segoe UI, sans-serif; margin: 2em auto; max-width: 70em;
       color: #222; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.reading { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.reading div { padding: 0.6em 0.9em; border-radius: 4px; }
.suspicious { background: #fdecea; } .benign { background: #eaf4fb; }
code { background: #f5f5f5; padding: 0 0.2em; } .note { color: #555; font-size: 0.9em; }
img { max-width: 100%; }
"""


def _table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for value in row:
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            text = ", ".join(map(str, value)) if isinstance(value, list) else "" if value is None else str(value)
            cells.append(f"<td class=n>{html.escape(text)}</td>" if numeric else f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _ran_table(ran: Ran) -> str:
    return f"<p class=note><code>{html.escape(ran.command())}</code></p>" + _table(ran.columns, ran.rows)


def _weekly_table(findings: Findings) -> str:
    weeks, series = weekly_series(findings)
    keys = [k for k in (0, 1, OTHERS) if k in series]
    names = series_names(findings)
    columns = ["week of", *[names[k] for k in keys]]
    return _table(columns, [[week, *[series[k][i] for k in keys]] for i, week in enumerate(weeks)])


def render_html(findings: Findings, *, store: str | None = None) -> str:
    chart = base64.b64encode(timeline_png(findings)).decode("ascii")
    by_query: dict[str, list[Ran]] = defaultdict(list)
    for ran in findings.ran:
        by_query[ran.query].append(ran)
    tables = {
        "Who looked the name up": by_query["lookup-concentration"] + by_query["lookup-sources"],
        "Who stands behind it": by_query["registrant-vs-operator"],
        "The same server under another name": by_query["cohosted"],
        "A rare name": by_query["rare-names"],
        "The timeline": by_query["infrastructure-changes"],
        "Paths between the organizations": by_query["path-between"],
        "Groups of clients": by_query["community-members"],
    }
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        f"<title>graphkit demo: the 2016 case ({html.escape(findings.name)})</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>The 2016 case: who looked up <code>{html.escape(findings.name)}</code>, and who stands behind it</h1>",
        "<p class=note>Written by <code>graphkit demo</code>. The case data reconstructs public reporting; every "
        "timestamp, the split between the bank's two resolvers, the remainder, the background traffic, the "
        "neighbouring names and most WHOIS details are synthetic (the case README says exactly which)."
        + (f" Store: <code>{html.escape(store)}</code>." if store else "")
        + "</p>",
    ]
    for number, (title, facts, suspicious, benign) in enumerate(sections(findings), 1):
        parts.append(f"<h2>{number}. {html.escape(title)}</h2>")
        parts.append("<ul>" + "".join(f"<li>{html.escape(fact.strip())}</li>" for fact in facts) + "</ul>")
        parts.append(
            f"<div class=reading><div class=suspicious><b>Suspicious reading.</b> {html.escape(suspicious)}</div>"
            f"<div class=benign><b>Benign reading.</b> {html.escape(benign)}</div></div>"
        )
        if title == "The timeline":
            parts.append(
                f'<p><img id="timeline-chart" alt="Weekly lookups of {html.escape(findings.name)} by source" '
                f'src="data:image/png;base64,{chart}"></p>'
            )
            parts.append(_weekly_table(findings))
        if title == "Paths between the organizations":
            picture = paths_svg(path for paths in findings.paths.values() for path in paths)
            if picture:
                parts.append(f"<figure>{picture}<figcaption>Every shortest path above, each node and "
                             "relationship once.</figcaption></figure>")  # fmt: skip
        if title == "A rare name" and findings.other_names:
            rows = [[findings.name, len(findings.clients), findings.total]]
            rows += [[n["name"], n["clients"], n["total"]] for n in findings.other_names]
            parts.append(_table(["name", "client addresses", "lookups"], rows))
        for ran in tables.get(title, []):
            parts.append(_ran_table(ran))
    parts.append("<h2>What investigators concluded</h2>")
    parts.append("<ul>" + "".join(f"<li>{html.escape(text)}</li>" for text in CONCLUSIONS) + "</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_html(findings: Findings, path: Path, *, store: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(findings, store=store), encoding="utf-8")
    return path
