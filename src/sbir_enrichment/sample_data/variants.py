"""A labelled sample built from real company-name variants, a yardstick the generator never saw.

``company_aliases/company_aliases_dev.csv`` holds real spellings of real companies
(crowd-labelled; licence and quirks beside it). ``generate_variant_sample`` turns it into inputs
of the project's data contract: the recipients are the generated sample's businesses (its SBIR
firms removed) plus one row per company under its canonical name; the awards are the generated
award rows with ``Company`` replaced by an alias, a share of them carrying the company's UEI and
none a DUNS; a share of the companies is absent from the recipients.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from sbir_enrichment.sample_data import identifiers as ids
from sbir_enrichment.sample_data.config import GeneratorConfig
from sbir_enrichment.sample_data.firms import other_states
from sbir_enrichment.sample_data.generator import SampleData, generate_sample
from sbir_enrichment.sample_data.vocabulary import load_vocabulary

ALIASES_FILE = "company_aliases/company_aliases_dev.csv"
_SEED_OFFSET = 7919  # variant draws use their own stream, so the base sample is unchanged


@cache
def load_aliases() -> pd.DataFrame:
    """``company_id, canonical_name, alias, kind`` of the committed development half."""
    with resources.files(__package__).joinpath(ALIASES_FILE).open(encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype={"company_id": "int64"}, keep_default_na=False)


def _award_aliases(rng: np.random.Generator, n_aliases: int, n_awards: int) -> np.ndarray:
    """Alias row of each award: every alias once (while awards last), then random repeats."""
    first = rng.permutation(n_aliases)[: min(n_aliases, n_awards)]
    extra = rng.integers(0, n_aliases, max(0, n_awards - n_aliases))
    return rng.permutation(np.concatenate([first, extra]))


def _company_rows(rng: np.random.Generator, companies: pd.DataFrame, template: pd.DataFrame,
                  taken: pd.DataFrame) -> pd.DataFrame:
    """One recipient row per present company: its canonical name, fresh identifiers, a state.

    Address-like columns are copied from ``template`` rows (generated businesses); UEI, DUNS and
    hash are new and distinct from those in ``taken``.
    """
    n = len(companies)
    rows = template.iloc[rng.integers(0, len(template), n)].reset_index(drop=True).copy()
    spare = 2 * n + 64
    uei = pd.Series(ids.random_ueis(rng, spare + len(taken)).to_pandas())
    duns = pd.Series(ids.random_duns(rng, spare + len(taken)).to_pandas())
    hashes = pd.Series(ids.random_hashes(rng, spare).to_pandas())
    uei = uei[~uei.isin(taken["uei"])].to_numpy()[:n]
    duns = duns[~duns.isin(taken["duns"])].to_numpy()[:n]
    hashes = hashes[~hashes.isin(taken["recipient_hash"])].to_numpy()[:n]
    rows["recipient_hash"] = hashes
    rows["legal_business_name"] = companies["canonical_name"].to_numpy()
    rows["uei"] = uei
    rows["duns"] = duns
    rows["state"] = companies["state"].to_numpy()
    for column in ("parent_uei", "parent_duns", "parent_legal_business_name", "alternate_names"):
        rows[column] = None
    rows["source"] = "sam"
    return rows


def generate_variant_sample(config: GeneratorConfig) -> SampleData:
    """Awards named by real aliases, recipients holding the canonical names among filler.

    The base sample (``generate_sample(config)``) provides award rows and filler businesses;
    ``config.variants`` sets the share of awards carrying the company's UEI, the share of
    companies absent from the recipients, and the share of awards filed from another state.
    """
    shares = config.variants
    base = generate_sample(config)
    rng = np.random.default_rng(config.seed + _SEED_OFFSET)
    aliases = load_aliases()
    companies = aliases.drop_duplicates("company_id")[["company_id", "canonical_name"]]
    companies = companies.sort_values("company_id", ignore_index=True)
    n_companies = len(companies)
    companies["present"] = rng.random(n_companies) >= shares.absent_company_share
    companies["state"] = load_vocabulary().states.draw(rng, n_companies).astype("<U2")

    firm_rows = base.recipients["recipient_hash"].isin(base.truth["recipient_hash"])
    filler = base.recipients.loc[~firm_rows].reset_index(drop=True)
    present = companies[companies["present"]].reset_index(drop=True)
    company_rows = _company_rows(rng, present, filler, base.recipients)
    recipients = pd.concat([filler, company_rows], ignore_index=True)
    recipients = recipients.iloc[rng.permutation(len(recipients))].reset_index(drop=True)
    recipients["id"] = np.arange(1, len(recipients) + 1, dtype=np.int64)

    n_awards = len(base.awards)
    alias = aliases.iloc[_award_aliases(rng, len(aliases), n_awards)].reset_index(drop=True)
    company = alias[["company_id"]].merge(companies, on="company_id", how="left")
    hit = company[["company_id"]].merge(
        present.assign(recipient_hash=company_rows["recipient_hash"].to_numpy(),
                       uei=company_rows["uei"].to_numpy())[["company_id", "recipient_hash", "uei"]],
        on="company_id", how="left")
    shows_uei = rng.random(n_awards) < shares.uei_share
    own_uei = pd.Series(ids.random_ueis(rng, n_awards + len(recipients)).to_pandas())
    own_uei = own_uei[~own_uei.isin(recipients["uei"])].to_numpy()[:n_awards]
    uei = np.where(company["present"].to_numpy(), hit["uei"].to_numpy(dtype=object), own_uei)
    moved = rng.random(n_awards) < shares.other_state_share
    state = company["state"].to_numpy(dtype=object)
    state = np.where(moved, other_states(rng, load_vocabulary(), state.astype("<U2")), state)

    awards = base.awards.copy()
    awards["Company"] = pd.Series(alias["alias"].to_numpy(), dtype="str")
    awards["UEI"] = pd.Series(np.where(shows_uei, uei, None), dtype="str")
    awards["Duns"] = pd.Series(None, index=awards.index, dtype="str")
    awards["State"] = pd.Series(state, dtype="str")
    variation = alias["kind"].str.removeprefix("alias_").to_numpy(dtype=object)
    variation = variation + np.where(shows_uei, "; uei shown", "; no identifier")
    variation = variation + np.where(moved, "; moved", "")
    truth = pd.DataFrame({"source_row": np.arange(n_awards, dtype=np.int64),
                          "recipient_hash": hit["recipient_hash"].to_numpy(dtype=object),
                          "variation": variation})
    truth = truth.dropna(subset=["recipient_hash"]).reset_index(drop=True)
    return SampleData(awards, recipients, truth)

