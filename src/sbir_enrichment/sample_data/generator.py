"""Generate a realistic sample: SBIR awards, USAspending recipients, and the true links between.

``generate_sample(config)`` is deterministic for a given ``GeneratorConfig`` (seed included) and
vectorised throughout, so the real scale (214k awards, 3.3M recipients) takes minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sbir_enrichment.sample_data import identifiers as ids
from sbir_enrichment.sample_data import names as nm
from sbir_enrichment.sample_data.awards import build_awards
from sbir_enrichment.sample_data.config import GeneratorConfig
from sbir_enrichment.sample_data.context import Context, FirmIdentity
from sbir_enrichment.sample_data.firms import draw_awards, draw_firms
from sbir_enrichment.sample_data.recipients import build_recipients, plan_recipients
from sbir_enrichment.sample_data.variation import join_labels
from sbir_enrichment.sample_data.vocabulary import load_vocabulary


@dataclass(frozen=True)
class SampleData:
    """The three generated tables."""

    awards: pd.DataFrame
    """The SBIR.gov export: 42 text columns; row ``i`` is ``source_row`` ``i``."""
    recipients: pd.DataFrame
    """USAspending ``recipient_lookup`` rows."""
    truth: pd.DataFrame
    """``source_row, recipient_hash, variation``: every acceptable recipient of every award, and
    the kinds of variation the award carries (``sample_data.variation``)."""


def generate_sample(config: GeneratorConfig) -> SampleData:
    """Generate awards, recipients and truth from ``config``."""
    rng = np.random.default_rng(config.seed)
    vocabulary = load_vocabulary()
    awards = draw_awards(rng, vocabulary, config)
    firms = draw_firms(rng, vocabulary, config, awards)
    plan = plan_recipients(rng, config, firms)
    n_firms = len(firms)
    n_present = int(firms.present.sum())
    # Token look-alikes that collide with a drawn name are dropped, so draw spare filler names.
    n_fillers = max(0, config.n_recipients - n_present - plan.firm_rows)
    n_fillers += int(plan.token_lookalike.sum()) if n_fillers else 0
    n_names = n_firms + n_fillers
    lexicon = nm.build_lexicon(rng, vocabulary, n_names)
    ctx = Context(rng, vocabulary, lexicon, config)
    names = nm.with_foreign_forms(rng, nm.draw_names(rng, vocabulary, lexicon, n_names),
                                  config.firms.foreign_form_share)
    n_rows = n_present + plan.firm_rows + n_fillers
    uei = ids.random_ueis(rng, n_firms + n_rows)
    duns = ids.random_duns(rng, n_firms + n_rows)
    identity = FirmIdentity(names.take(np.arange(n_firms)), uei.slice(0, n_firms),
                            duns.slice(0, n_firms))
    recipients, firm_truth, lookalikes = build_recipients(
        ctx, firms, plan, identity, fillers=names.take(np.arange(n_firms, n_names)),
        pools=(uei.slice(n_firms), duns.slice(n_firms), ids.random_hashes(rng, n_rows)))
    award_rows, award_variation = build_awards(ctx, awards, firms, identity, recipients)
    firm_variation = {"short name": nm.is_short_name(identity.names, lexicon),
                      "foreign form": nm.IS_FOREIGN[identity.names.suffix], **lookalikes}
    variation = join_labels({**award_variation, **{
        label: has[awards.firm] for label, has in firm_variation.items()}})
    truth = (pd.DataFrame({"source_row": np.arange(len(awards.firm)), "firm": awards.firm,
                           "variation": pd.Series(variation, dtype="str")})
             .merge(firm_truth, on="firm")
             .sort_values(["source_row", "recipient_hash"])
             [["source_row", "recipient_hash", "variation"]]
             .reset_index(drop=True))
    return SampleData(award_rows, recipients, truth)
