"""Legal forms of business names in many countries, from cleanco's maintained term lists.

cleanco (MIT) lists the legal-form designations of ~80 countries (``termdata.terms_by_country``)
and sorts most of them into types (``terms_by_type``: Corporation, Limited, Limited Liability
Company, ...). Terms are cleaned like names (``s.p.a.`` → ``SPA``, ``sp. z o.o.`` → ``SP Z OO``)
and compared without spaces, so ``S P A``, ``SPA`` and ``S.P.A.`` are one form. Two additions,
each for a reason: the first word of a multi-word term is a form of its own, since exports often
drop the rest (``BIGAIR PTY`` for ``PTY LTD``, ``AZINGO PVT`` for ``PVT LTD``); and ``PBC`` (a US
public benefit corporation, frequent in SBIR awards) is missing from cleanco 2.3.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from cleanco import termdata

from sbir_enrichment.matching.text import clean_text

EXTRA_FORMS: dict[str, str] = {"PBC": "Corporation"}
OTHER_TYPE = "Other"  # a country's term that cleanco does not sort into a type


@dataclass(frozen=True)
class LegalForms:
    """The vocabulary: each form's space-free spelling and its type."""

    compact: pa.Array
    """Distinct space-free forms (``PTYLTD``, ``SPA``, ``INC``, ...)."""
    type_code: np.ndarray
    """Position in ``types`` of each form's type."""
    types: tuple[str, ...]
    max_words: int
    """Most words a form can span in a name (``S P Z O O``: 5)."""

    def codes(self, compact: pa.Array) -> np.ndarray:
        """Position in ``compact`` of each space-free text (-1 when not a legal form)."""
        found = pc.index_in(compact, value_set=self.compact)
        return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int32)


def _cleaned(terms: list[str]) -> list[str]:
    return clean_text(pa.array(terms, pa.large_string())).to_pylist()


@cache
def legal_forms() -> LegalForms:
    """cleanco's forms (plus the additions above), typed; built once per process."""
    typed: dict[str, str] = {}
    for type_name, terms in termdata.terms_by_type.items():
        for term in _cleaned(terms):
            typed.setdefault(term, type_name)
    for terms in termdata.terms_by_country.values():
        for term in _cleaned(terms):
            typed.setdefault(term, OTHER_TYPE)
    for term, type_name in list(typed.items()):
        first = term.split(" ")[0]
        if " " in term and len(first) > 1 and first != "AND":
            typed.setdefault(first, type_name)
    typed.update(EXTRA_FORMS)
    typed.pop("", None)
    compact: dict[str, str] = {}
    for term, type_name in typed.items():
        compact.setdefault(term.replace(" ", ""), type_name)
    types = tuple(sorted(set(compact.values())))
    letters = max(len(term.replace(" ", "")) for term in typed)
    return LegalForms(
        compact=pa.array(list(compact), pa.large_string()),
        type_code=np.array([types.index(t) for t in compact.values()], dtype=np.int8),
        types=types,
        max_words=min(letters, max(term.count(" ") + 1 for term in typed) + 2),
    )
