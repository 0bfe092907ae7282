"""Where a Dask worker reads the recipient index from, and the check that it is the driver's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

from sbir_enrichment.pipelines.enrichment import fingerprint
from sbir_enrichment.pipelines.enrichment.nodes import Loader, recipient_tables
from sbir_enrichment.pipelines.enrichment.params import EnrichmentParams


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
