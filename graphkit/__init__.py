"""graphkit: DNS records, lookup logs, registrants and operators as a property graph."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("graphkit-investigations")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+source"
