"""What every generation step draws with, bundled so that steps take few arguments."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from sbir_enrichment.sample_data.config import GeneratorConfig
from sbir_enrichment.sample_data.names import Lexicon, NameParts
from sbir_enrichment.sample_data.vocabulary import Vocabulary


@dataclass(frozen=True)
class Context:
    """The random generator, the vocabulary and lexicon, and the settings of one sample."""

    rng: np.random.Generator
    vocabulary: Vocabulary
    lexicon: Lexicon
    config: GeneratorConfig


@dataclass(frozen=True)
class FirmIdentity:
    """Each SBIR firm's registered name and identifiers (rows and awards may not show them)."""

    names: NameParts
    uei: pa.Array
    duns: pa.Array
