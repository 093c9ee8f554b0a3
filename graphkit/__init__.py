"""graphkit: DNS records, lookup logs, registrants and operators as a property graph."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """`graphkit.__version__`, looked up when asked for: importlib.metadata is slow to import."""
    if name != "__version__":
        raise AttributeError(f"module 'graphkit' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("graphkit-investigations")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0+source"
