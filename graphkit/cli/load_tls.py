"""`graphkit load certs|crtsh`: certificates from files and from Certificate Transparency.
(Zeek's ssl.log and x509.log load with `graphkit load zeek`, Suricata's tls events with `load eve`.)"""

from __future__ import annotations

import typer

from graphkit.cli.load import FilesArg, StrictArg, run_load
from graphkit.cli.options import FormatArg, store_options
from graphkit.cli.output import Format


def load_certs(ctx: typer.Context, files: FilesArg, strict: StrictArg = False, fmt: FormatArg = Format.table) -> None:
    """Load certificate files (PEM, one or a bundle, or DER): a Certificate per certificate (keyed by SHA-256)
    with the names and addresses it covers; ISSUED_BY where another certificate in the file verifiably signed it."""
    from graphkit.parsers.certfiles import CertFilesParser

    run_load(CertFilesParser(), files, store_options(ctx), strict=strict, fmt=fmt)


def load_crtsh(ctx: typer.Context, files: FilesArg, strict: StrictArg = False, fmt: FormatArg = Format.table) -> None:
    """Load crt.sh search results (?output=json): a Certificate per crt.sh id, with its CT entry time and the names
    it covers; a precertificate and its certificate share `issuer_serial`."""
    from graphkit.parsers.crtsh import CrtshParser

    run_load(CrtshParser(), files, store_options(ctx), strict=strict, fmt=fmt)
