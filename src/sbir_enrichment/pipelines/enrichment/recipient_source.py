"""The recipient-index partitions read as the index's tables, and (for a Dask worker building
its partition of the index) the check that they are the driver's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

from sbir_enrichment.matching import RecipientIndex
from sbir_enrichment.pipelines.enrichment import fingerprint
from sbir_enrichment.pipelines.enrichment.linking import Loader
from sbir_enrichment.pipelines.enrichment.params import EnrichmentParams


def recipient_tables(recipient_index: dict[str, Loader], digests: list[str]
                     ) -> Iterator[pa.Table]:
    """The ``RecipientIndex.table_of`` table of each recipient-index partition, in order, one
    at a time; each one's digest is appended to ``digests`` (``fingerprint.combine`` them)."""
    for partition_id, load in recipient_index.items():
        table = RecipientIndex.table_of(load())
        digests.append(partition_id + ":" + fingerprint.table_digest(table))
        yield table


@dataclass(frozen=True)
class RecipientSource:
    """The recipient-index partitions, the driver's digest of them, the enrichment parameters."""

    recipient_index: dict[str, Loader]
    recipients_digest: str
    params: EnrichmentParams

    def check(self, digest: str) -> None:
        """Refuse partitions read with another ``digest`` than the driver's."""
        if digest != self.recipients_digest:
            raise RuntimeError(
                "a Dask worker read other recipient-index partitions than the driver: the "
                "workers must see the driver's data at the same path (docs/scaling.md)")

    def tables(self) -> Iterator[pa.Table]:
        """The recipient tables, one at a time; checked after the last."""
        digests: list[str] = []
        yield from recipient_tables(self.recipient_index, digests)
        self.check(fingerprint.combine(*digests))
