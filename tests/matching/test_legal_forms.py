"""The legal-form vocabulary comes from cleanco, cleaned like names, with two documented
additions."""

from __future__ import annotations

import pyarrow as pa
from cleanco import termdata

from sbir_enrichment.matching.legal_forms import EXTRA_FORMS, legal_forms


def _codes(*compact: str) -> list[int]:
    return legal_forms().codes(pa.array(list(compact), pa.large_string())).tolist()


def test_every_cleanco_term_is_a_form_whatever_its_punctuation_or_spacing() -> None:
    forms = legal_forms()
    known = set(forms.compact.to_pylist())
    # A sample across countries, written as cleanco lists them, compared without spaces/dots.
    for term in ("gmbh", "s.p.a.", "sp. z o.o.", "pty ltd", "oyj", "s.a.r.l.", "kk", "inc"):
        assert term.replace(".", "").replace(" ", "").upper() in known
    assert len(known) > 200  # most of cleanco's ~320 spellings, less their duplicates
    assert set(forms.types) <= set(termdata.terms_by_type) | {"Other"}
    assert {"Corporation", "Limited", "Limited Liability Company"} <= set(forms.types)


def test_first_words_of_multi_word_forms_and_the_additions_are_forms() -> None:
    assert min(_codes("PTY", "PVT", "SDN", *EXTRA_FORMS)) >= 0
    assert _codes("AND", "S", "ACME") == [-1, -1, -1]  # not a form: a joiner, a letter, a name
