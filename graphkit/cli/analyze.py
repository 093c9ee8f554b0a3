"""`graphkit analyze communities|centrality|components`: an analysis of a projection of the
graph (graphkit.analysis), printed, and written back as node properties."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Annotated

import typer

from graphkit.cli.options import store_options
from graphkit.cli.output import Format, print_rows

if TYPE_CHECKING:
    from graphkit.analysis.run import Outcome

ProjectionOpt = Annotated[
    str,
    typer.Option(
        "--projection",
        metavar="NAME",
        help="co-lookup: clients linked by the names they share; infrastructure: domains linked by the name "
        "servers, mail servers, addresses, netblocks, certificates and registration details they share (rare "
        "ones weighing more in both); whole: the graph as it is, parallel relationships as one edge.",
    ),
]
WriteOpt = Annotated[
    bool, typer.Option("--write/--dry-run", help="Write the results back as node properties, or only print them.")
]
SeedOpt = Annotated[int, typer.Option("--seed", metavar="N", help="Random seed: the same seed gives the same results.")]
TopOpt = Annotated[
    int, typer.Option("--top", metavar="N", min=1, help="How many communities, components or nodes to print.")
]
MaxMembersOpt = Annotated[
    int,
    typer.Option(
        "--max-members",
        metavar="N",
        help="co-lookup, infrastructure: a name looked up by more clients than this, or an element shared by "
        "more domains, links nobody (it says nothing about who belongs together).",
    ),
]


def communities(
    ctx: typer.Context,
    projection: ProjectionOpt = "co-lookup",
    write: WriteOpt = True,
    seed: SeedOpt = 42,
    resolution: Annotated[
        float,
        typer.Option("--resolution", metavar="R", min=0.01, help="Louvain resolution: above 1, smaller communities."),
    ] = 1.0,
    max_members: MaxMembersOpt = 50,
    top: TopOpt = 10,
) -> None:
    """Louvain communities (seeded): groups more tightly linked inside than to the rest."""
    from graphkit.analysis.algorithms import Settings

    outcome = _analyze(ctx, "communities", projection, write, Settings(seed=seed, resolution=resolution), max_members)
    groups = _grouped(outcome, "community")
    rows = [[number, len(members), _names(outcome, members)] for number, members in groups[:top]]
    print_rows(["community", "size", "members"], rows, Format.table)


def centrality(
    ctx: typer.Context,
    projection: ProjectionOpt = "co-lookup",
    write: WriteOpt = True,
    seed: SeedOpt = 42,
    samples: Annotated[
        int,
        typer.Option("--samples", metavar="K", min=2, help="Betweenness from K sampled nodes on larger projections."),
    ] = 500,
    max_members: MaxMembersOpt = 50,
    top: TopOpt = 10,
) -> None:
    """Weighted PageRank and betweenness: the nodes much linked to, and those linking groups."""
    from graphkit.analysis.algorithms import Settings

    outcome = _analyze(ctx, "centrality", projection, write, Settings(seed=seed, samples=samples), max_members)
    ranked = sorted(outcome.results.items(), key=lambda item: (-item[1]["pagerank"], item[0]))[:top]
    rows = [[*outcome.graph.refs[n], round(v["pagerank"], 6), round(v["betweenness"], 6)] for n, v in ranked]
    print_rows(["label", "key", "pagerank", "betweenness"], rows, Format.table)


def components(
    ctx: typer.Context,
    projection: ProjectionOpt = "co-lookup",
    write: WriteOpt = True,
    max_members: MaxMembersOpt = 50,
    top: TopOpt = 10,
) -> None:
    """Connected components, and each node's k-core number (how deep in a dense part it is)."""
    from graphkit.analysis.algorithms import Settings

    outcome = _analyze(ctx, "components", projection, write, Settings(), max_members)
    groups = _grouped(outcome, "component")
    rows = [
        [number, len(members), max(outcome.results[m]["core"] for m in members), _names(outcome, members)]
        for number, members in groups[:top]
    ]
    print_rows(["component", "size", "max core", "members"], rows, Format.table)


def similarity(
    ctx: typer.Context,
    top: Annotated[
        int, typer.Option("--top", metavar="K", min=1, help="The most similar clients kept per client.")
    ] = 5,
    measure: Annotated[
        str,
        typer.Option(
            "--measure",
            metavar="NAME",
            help="jaccard (shared names / names either looked up) or overlap (shared / the smaller set).",
        ),
    ] = "jaccard",
    min_score: Annotated[
        float, typer.Option("--min-score", metavar="S", help="Leave out pairs less alike than this.")
    ] = 0.1,
    write: WriteOpt = True,
    max_members: MaxMembersOpt = 50,
    shown: Annotated[
        int, typer.Option("--show", metavar="N", min=1, help="How many of the most alike pairs to print.")
    ] = 10,
) -> None:
    """Each client's most similar clients by the names both looked up, written as SIMILAR_TO
    relationships (score, measure, shared names); only clients that share a name are compared."""
    from graphkit.analysis.algorithms import Settings
    from graphkit.errors import GraphkitError

    if measure not in ("jaccard", "overlap"):
        raise GraphkitError(f"--measure is jaccard or overlap, not {measure!r}")
    settings = Settings(top=top, measure=measure, min_score=min_score)
    outcome = _analyze(ctx, "similarity", "co-lookup", write, settings, max_members)
    refs = outcome.graph.refs
    pairs = {tuple(sorted((a, b))): props for a, b, props in outcome.edges}
    ranked = sorted(pairs.items(), key=lambda item: (-item[1]["score"], item[0]))[:shown]
    rows = [[refs[a][1], refs[b][1], props["score"], props["shared"]] for (a, b), props in ranked]
    print_rows(["client", "similar client", measure, "shared names"], rows, Format.table)


def _analyze(
    ctx: typer.Context, name: str, projection: str, write: bool, settings: object, max_members: int
) -> Outcome:
    from graphkit.analysis.algorithms import Settings
    from graphkit.analysis.run import analyze
    from graphkit.backends.store import open_store

    assert isinstance(settings, Settings)
    backend = open_store(store_options(ctx), read_only=not write)
    try:
        outcome = analyze(backend, name, projection, settings, {"max_members": max_members}, write=write)
    finally:
        backend.close()
    graph, took = outcome.graph, outcome.seconds
    typer.echo(
        f"{projection}: {graph.node_count} nodes, {graph.edge_count} edges (read in {took['read']:.1f} s); "
        f"{name} in {took['run']:.1f} s",
        err=True,
    )
    if write:
        from graphkit.model.schema import ANALYSED_LABELS

        kept = outcome.written_nodes
        what = f"{len(outcome.edges)} relationships" if name == "similarity" else f"{kept} nodes"
        if kept < len(outcome.results):
            what += f" (of {len(outcome.results)}: results are written on {', '.join(ANALYSED_LABELS)} only)"
        typer.echo(f"written: {what}, as {outcome.source}, in {took['write']:.1f} s", err=True)
    else:
        typer.echo("dry run: nothing written", err=True)
    return outcome


def _grouped(outcome: Outcome, prop: str) -> list[tuple[int, list[int]]]:
    """The nodes by the number the analysis gave them in `prop`, in number order."""
    groups: dict[int, list[int]] = defaultdict(list)
    for node, values in outcome.results.items():
        groups[values[prop]].append(node)
    return sorted(groups.items())


def _names(outcome: Outcome, members: list[int], shown: int = 5) -> str:
    keys = [outcome.graph.refs[m][1] for m in members[:shown]]
    return ", ".join(keys) + (f" and {len(members) - shown} more" if len(members) > shown else "")
