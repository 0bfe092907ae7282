"""The hooks are generic: no dataset of the project's catalog is named in their code."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
HOOKS = ROOT / "src" / "sbir_enrichment" / "hooks"


def _catalog_names() -> set[str]:
    names = set()
    for path in (ROOT / "conf" / "base").glob("catalog*.yml"):
        names |= {name for name in yaml.safe_load(path.read_text()) if not name.startswith("_")}
    return names


def test_no_hook_module_names_a_catalog_dataset() -> None:
    names = _catalog_names()
    assert {"sbir_awards", "enriched_sbir_awards", "accuracy_report"} <= names
    named = {
        (path.name, name)
        for path in HOOKS.glob("*.py")
        for name in names
        if re.search(rf"\b{re.escape(name)}\b", path.read_text())
    }
    assert named == set()
