"""The linkage library: pure, vectorised, no Kedro.

What a caller needs: ``MatchSettings`` (blocking, levels, estimation and decision settings),
``RecipientIndex`` (built once from the recipient-index frames), ``train`` (a ``MatchModel``
estimated from the data being linked), ``link_awards`` (one chunk of awards in, the same rows
with their match, probability and weights out), ``review_candidates`` (the review band, long
form) and ``accuracy_report`` (precision, recall and reliability against a truth table). Name
and identifier normalisers live in ``names`` and ``identifiers``.

Threads: the linkage's parallel parts (rapidfuzz, the blocking keys) use Arrow's CPU count,
``pyarrow.cpu_count()`` (``OMP_NUM_THREADS`` when set, else the machine's cores), so a
Dask worker started with one thread links with one.
"""

from sbir_enrichment.matching.candidates import AWARD_COLUMNS
from sbir_enrichment.matching.evaluation import accuracy_report
from sbir_enrichment.matching.index import RecipientIndex
from sbir_enrichment.matching.linker import (
    MATCH_COLUMNS,
    WEIGHT_COLUMNS,
    link_awards,
    review_candidates,
    review_columns,
)
from sbir_enrichment.matching.model import MatchModel, train
from sbir_enrichment.matching.settings import MatchSettings

__all__ = [
    "AWARD_COLUMNS",
    "MATCH_COLUMNS",
    "WEIGHT_COLUMNS",
    "MatchModel",
    "MatchSettings",
    "RecipientIndex",
    "accuracy_report",
    "link_awards",
    "review_candidates",
    "review_columns",
    "train",
]
