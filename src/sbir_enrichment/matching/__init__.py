"""The linkage library: pure, vectorised, no Kedro.

What a caller needs: ``MatchSettings`` (every threshold and weight), ``RecipientIndex`` (built
once from the recipient-index frames), ``link_awards`` (one chunk of awards in, the same rows
with their match out), ``review_candidates`` (the review band, long form) and
``accuracy_report`` (precision and recall against a truth table). Name and identifier
normalisers live in ``names`` and ``identifiers``.
"""

from sbir_enrichment.matching.cascade import MATCH_COLUMNS, link_awards, review_candidates
from sbir_enrichment.matching.evaluation import accuracy_report
from sbir_enrichment.matching.index import RecipientIndex
from sbir_enrichment.matching.settings import MatchSettings

__all__ = [
    "MATCH_COLUMNS",
    "MatchSettings",
    "RecipientIndex",
    "accuracy_report",
    "link_awards",
    "review_candidates",
]
