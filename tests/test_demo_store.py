"""`graphkit demo` on a store that holds more than the case: the user's own attributions
change who the sources are, not whether the demo finds the lookups."""

from __future__ import annotations

from pathlib import Path

from helpers import Store, json_output

NAME = "mail1.trump-email.com"


def test_demo_on_a_store_with_extra_attributions(store: Store, tmp_path: Path) -> None:
    extra = tmp_path / "mine.csv"
    extra.write_text(
        "address_or_cidr,organization,role,note\n"
        "217.12.96.15,Alfa resolver one,resolver,analyst's split\n"
        "217.12.97.15,Alfa resolver two,resolver,analyst's split\n"
    )
    store.cli("demo", "--store", store.location, "--json")
    store.cli("load", "attributions", str(extra))
    proc = store.cli("demo", "--store", store.location, "--json", check=False)
    assert proc.returncode == 0, proc.stderr
    findings = json_output(proc)
    assert findings["name"] == NAME and findings["total"] > 3000
    sources = [s["name"] for s in findings["sources"][:3]]
    assert sources == ["Alfa resolver one", "Alfa resolver two", "Spectrum Health"]
    assert findings["top_share"] < 0.5  # the query's default threshold would have hidden the name
