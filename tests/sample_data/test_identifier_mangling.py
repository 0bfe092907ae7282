"""Made-up identifiers are well formed and distinct; mangling is what exports do."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sbir_enrichment.matching.identifiers import normalise_duns, normalise_uei
from sbir_enrichment.sample_data import identifiers as ids
from sbir_enrichment.sample_data.arrow import strings


def test_random_identifiers_are_distinct_and_well_formed() -> None:
    rng = np.random.default_rng(0)
    uei = ids.random_ueis(rng, 50_000).to_pandas()
    duns = ids.random_duns(rng, 50_000).to_pandas()
    hashes = ids.random_hashes(rng, 50_000).to_pandas()
    assert uei.is_unique and duns.is_unique and hashes.is_unique
    assert uei.str.fullmatch(r"[A-HJ-NP-Z][A-HJ-NP-Z0-9]{11}").all()
    assert duns.str.fullmatch(r"[0-9]{9}").all()
    assert 0.27 <= duns.str.startswith("0").mean() <= 0.33
    assert hashes.str.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}").all()


def test_mangled_identifiers_normalise_back() -> None:
    rng = np.random.default_rng(1)
    duns = pa.array(["012345678", "000123456", "123456789"])
    assert ids.strip_leading_zeros(duns).to_pylist() == ["12345678", "123456", "123456789"]
    assert ids.dashed_duns(duns).to_pylist()[0] == "01-234-5678"
    for mangled in (ids.strip_leading_zeros(duns), ids.dashed_duns(duns)):
        assert normalise_duns(mangled.to_pandas()).tolist() == duns.to_pylist()
    uei = ids.random_ueis(rng, 100)
    padded = ids.padded(uei, rng).to_pandas()
    assert normalise_uei(padded).tolist() == uei.to_pylist()


def test_mistyped_changes_exactly_one_character() -> None:
    rng = np.random.default_rng(2)
    duns = ids.random_duns(rng, 1000)
    typo = ids.mistyped(duns, rng, "0123456789")
    pairs = zip(duns.to_pylist(), typo.to_pylist(), strict=True)
    assert all(sum(a != b for a, b in zip(x, y, strict=True)) == 1 for x, y in pairs)


def test_strings_gives_one_array_for_large_text() -> None:
    # pa.array splits numpy text of more than 2**24 characters into chunks.
    values = np.full(600_000, "X" * 30)
    out = strings(values)
    assert isinstance(out, pa.StringArray) and len(out) == 600_000
