"""Options shared by many commands, declared once: the output format, and where the store is.

The store options (--store/-s, --user, --password, --database) are taken by `graphkit` itself
and by every command that opens the store, so that `graphkit --store X load zone F` and
`graphkit load zone F --store X` both work. Such a command is registered with
`cls=StoreCommand` (or `StoreGroup` for a group with options of its own); it gets the options
in effect from `store_options(ctx)`: its own over `graphkit`'s, and those over the environment.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from typing import Annotated, Any, ClassVar, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from graphkit.backends.store import DEFAULT_STORE, StoreOptions
from graphkit.cli.output import Format

FormatArg = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def _store_option(*names: str, help: str, envvar: str) -> Any:
    # show_envvar=False: each help text names its variable already
    return typer.Option(*names, help=help, envvar=envvar, show_default=False, show_envvar=False)


def _store_signature(
    store: Annotated[
        Optional[str],
        _store_option(
            "--store",
            "-s",
            help=f"Embedded store path (default {DEFAULT_STORE}) or a Neo4j URI (bolt://, neo4j://, +s). "
            "Env: GRAPHKIT_STORE.",
            envvar="GRAPHKIT_STORE",
        ),
    ] = None,
    user: Annotated[
        Optional[str], _store_option("--user", help="Neo4j user. Env: NEO4J_USERNAME.", envvar="NEO4J_USERNAME")
    ] = None,
    password: Annotated[
        Optional[str],
        _store_option(
            "--password", help="Neo4j password (prefer env NEO4J_PASSWORD; never printed).", envvar="NEO4J_PASSWORD"
        ),
    ] = None,
    database: Annotated[
        Optional[str],
        _store_option("--database", help="Neo4j database. Env: NEO4J_DATABASE.", envvar="NEO4J_DATABASE"),
    ] = None,
) -> None:
    """Never called: the store options, declared once; typer makes them from this signature."""


@functools.cache
def _declared() -> tuple[Any, ...]:
    """The store options as click parameters, made once per process (every command copies them)."""
    holder = typer.Typer(add_completion=False)
    holder.command()(_store_signature)
    return tuple(typer.main.get_command(holder).params)


def _add_store_parameters(params: list[Any], fields: tuple[str, ...], *, from_environment: bool) -> list[str]:
    """Append to a command's parameters the store options it does not declare itself; their names."""
    own = {p.name for p in params}
    added = [copy.copy(p) for p in _declared() if p.name in fields and p.name not in own]
    if not from_environment:
        for param in added:
            param.envvar = None  # `graphkit` itself has read it; a command's own value only overrides
    params += added
    return [p.name for p in added]


def store_options(ctx: typer.Context) -> StoreOptions:
    """The store options in effect for this command (fields not given are None: the library
    then reads the environment, which only matters for commands run without `graphkit`)."""
    found = ctx.find_object(StoreOptions)
    return found if found is not None else StoreOptions()


def _take_store_options(ctx: Any, names: list[str]) -> None:
    """Move this command's store options out of its parameters into ctx.obj, over the inherited."""
    given = {name: ctx.params.pop(name) for name in names}
    ctx.obj = dataclasses.replace(store_options(ctx), **{k: v for k, v in given.items() if v is not None})


STORE_FIELDS = ("store", "user", "password", "database")


class StoreCommand(TyperCommand):
    """A command that opens the store: it takes the store options after its own (except any it
    declares itself, as `demo` does --store)."""

    store_fields: ClassVar[tuple[str, ...]] = STORE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store_names = _add_store_parameters(self.params, self.store_fields, from_environment=False)

    def invoke(self, ctx: Any) -> Any:
        _take_store_options(ctx, self.store_names)
        return super().invoke(ctx)


class StoreLocationCommand(StoreCommand):
    """A command that needs to know where the store is and who logs in, but does not open it."""

    store_fields = ("store", "user")


class StoreGroup(TyperGroup):
    """A group whose own callback takes the store options; its commands inherit them."""

    from_environment: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store_names = _add_store_parameters(self.params, STORE_FIELDS, from_environment=self.from_environment)

    def invoke(self, ctx: Any) -> Any:
        _take_store_options(ctx, self.store_names)
        return super().invoke(ctx)


class RootGroup(StoreGroup):
    """`graphkit` itself: the one place that reads the store options from the environment."""

    from_environment = True
