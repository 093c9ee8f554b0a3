"""Errors meant for the user: the CLI prints the message as one line and exits non-zero."""


class GraphkitError(Exception):
    """A problem the user can act on; str(exc) is the whole message."""


class StoreUnavailable(GraphkitError):
    """The store could not be opened or reached."""
