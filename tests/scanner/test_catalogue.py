"""docs/rules-scanner.md is generated from the rules and must not be stale."""

from __future__ import annotations

from hullguard.scanner.catalogue import DO_NOT_EDIT, DOC, render_catalogue
from hullguard.scanner.rules import all_rules


def test_rules_catalogue_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render_catalogue(), (
        "docs/rules-scanner.md is stale: run `python -m hullguard.scanner.catalogue --write`"
    )


def test_catalogue_lists_every_rule_and_says_it_is_generated() -> None:
    text = render_catalogue()
    assert text.startswith(DO_NOT_EDIT)
    for rule in all_rules():
        assert f"### {rule.id}" in text
