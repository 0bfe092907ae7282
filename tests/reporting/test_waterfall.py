"""The waterfall of an award's match weights: the bars are its own weight columns, in order."""

from __future__ import annotations

import numpy as np
import pytest
from matching_worlds import index_with, link, variant_model

from sbir_enrichment.reporting.waterfall import waterfall_figure, waterfall_terms


def _linked():
    index = index_with([("h-ericsson", "ERICSSONUEI1", None, "ERICSSON", "NY")])
    return link([("ERICSSON FORMERLY NORTEL NETWORKS", "NY", None, None),
                 ("ZZQX NOWHERE", "AK", None, None)], index, variant_model())


def test_the_bars_are_the_weights_and_the_total_is_the_log_odds() -> None:
    row = _linked().iloc[0]
    terms = waterfall_terms(row)
    assert [name for name, _ in terms] == ["prior", "name", "legal_form", "state", "uei",
                                           "duns", "rivals"]
    trace = waterfall_figure(row).data[0]
    assert list(trace.x)[-1] == "log2 odds" and list(trace.measure)[-1] == "total"
    total = trace.y[-1]
    assert total == pytest.approx(sum(bits for _, bits in terms))
    assert 1 / (1 + np.exp2(-total)) == pytest.approx(row["match_probability"])


def test_an_award_without_a_candidate_has_no_waterfall() -> None:
    with pytest.raises(ValueError, match="had no candidate"):
        waterfall_figure(_linked().iloc[1])
