"""Inputs for the enrichment tests: configured settings, hand-made recipients, generated data."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sbir_enrichment.matching import MatchSettings, RecipientIndex
from sbir_enrichment.matching.identifiers import normalise_duns, normalise_uei
from sbir_enrichment.matching.names import normalise_name
from sbir_enrichment.sample_data import GeneratorConfig, SampleData, generate_sample

PARAMETERS = Path(__file__).resolve().parents[1] / "conf" / "base" / "parameters_enrichment.yml"


def configured_params() -> dict:
    """The ``enrichment`` group of ``conf/base/parameters_enrichment.yml``."""
    return yaml.safe_load(PARAMETERS.read_text(encoding="utf-8"))["enrichment"]


def configured_settings(**overrides: object) -> MatchSettings:
    """The configured matching settings, optionally changed."""
    return MatchSettings(**{**configured_params()["matching"], **overrides})


def recipients_frame(rows: list[tuple[str, str | None, str | None, str, str | None]]
                     ) -> pd.DataFrame:
    """A recipient-index frame from ``(hash, uei, duns, name, state)`` rows."""
    frame = pd.DataFrame(rows, columns=["recipient_hash", "uei", "duns", "name", "state"])
    frame = frame.astype("str")
    frame["parent_uei"] = pd.Series(None, index=frame.index, dtype="str")
    frame["name_norm"] = normalise_name(frame["name"]).astype("str")
    frame["source_row"] = np.arange(len(frame), dtype=np.int64)
    return frame


# Recipients of the cascade tests: firms, their legacy rows, look-alikes and a few others.
RECIPIENTS = [
    ("h-acme", "ACMEUEI00001", "111111111", "ACME ROBOTICS INC", "CA"),
    ("h-acme-llc", None, None, "ACME ROBOTICS LLC", "TX"),  # look-alike: other legal form
    ("h-acme-x", None, None, "ACME DYNAMICS INC", "CA"),  # look-alike: one word changed
    ("h-pump", "PUMPUEI00001", "222222222", "PUMPILUS TECHNOLOGIES INC", "MA"),
    ("h-pump-old", None, "222222222", "PUMPILUS TECHNOLOGIES, INCORPORATED", "MA"),  # legacy
    ("h-pump-labs", None, "222222222", "PUMPILUS LABS INC", "MA"),  # legacy under an old name
    ("h-zygo", "ZYGOUEI00001", "333333333", "ZYGOMAX LLC", "NY"),
    ("h-quant", None, "444444444", "QUANTOX INC", "OH"),
    ("h-quant-nv", None, None, "QUANTOX LLC", "NV"),  # another QUANTOX, far away
    ("h-nitt", "NITTUEI00001", None, "NITTANY OPTICS LLC", "PA"),
    ("h-vela", None, None, "VELARIS", "WA"),
]


@cache
def small_index() -> RecipientIndex:
    """A recipient index over ``RECIPIENTS`` (in two partitions, as ingestion writes)."""
    frame = recipients_frame(RECIPIENTS)
    return RecipientIndex.from_frames([frame.iloc[:5], frame.iloc[5:]], configured_settings())


def prepared(sample: SampleData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Awards and recipient-index frame of a sample, normalised as ingestion would."""
    raw = sample.awards
    awards = pd.DataFrame({
        "company": raw["Company"].astype("str"),
        "uei": normalise_uei(raw["UEI"]).astype("str"),
        "duns": normalise_duns(raw["Duns"]).astype("str"),
        "state": raw["State"].astype("str"),
        "source_row": np.arange(len(raw), dtype=np.int64),
    })
    recipients = sample.recipients
    index_frame = pd.DataFrame({
        "recipient_hash": recipients["recipient_hash"].astype("str"),
        "uei": normalise_uei(recipients["uei"]).astype("str"),
        "duns": normalise_duns(recipients["duns"]).astype("str"),
        "parent_uei": normalise_uei(recipients["parent_uei"]).astype("str"),
        "name": recipients["legal_business_name"].astype("str"),
        "name_norm": normalise_name(recipients["legal_business_name"]).astype("str"),
        "state": recipients["state"].astype("str"),
        "source_row": np.arange(len(recipients), dtype=np.int64),
    })
    return awards, index_frame


@cache
def generated() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A small generated sample prepared as ingestion would: awards, index frame, truth."""
    sample = generate_sample(GeneratorConfig(seed=5, n_awards=1500, n_recipients=20000))
    return (*prepared(sample), sample.truth)
