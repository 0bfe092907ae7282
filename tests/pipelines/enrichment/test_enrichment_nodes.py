"""Enrichment nodes: chunk ids, the model (estimated or frozen), lazy fingerprinted chunks,
chunked equals unchunked, accuracy."""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd
import pytest
from enrichment_inputs import configured_params, generated

from sbir_enrichment.cluster import DaskParams
from sbir_enrichment.pipelines.enrichment.nodes import (
    LINK_COLUMNS,
    combine_chunks,
    enrich_chunks,
    estimate_match_model,
    freeze_match_model,
    index_recipients,
    measure_accuracy,
    split_awards,
)
from sbir_enrichment.pipelines.enrichment.params import EnrichmentParams


def _params(chunk_size: int = 400, **matching: object) -> EnrichmentParams:
    raw = configured_params()
    return EnrichmentParams(**{**raw, "chunk_size": chunk_size,
                               "matching": {**raw["matching"], **matching}})


def _loaders(frames: dict[str, pd.DataFrame]) -> dict:
    return {key: (lambda frame=frame: frame) for key, frame in frames.items()}


def _index_partitions(index_frame: pd.DataFrame) -> dict:
    half = len(index_frame) // 2
    return _loaders({"part-00000": index_frame.iloc[:half], "part-00001": index_frame.iloc[half:]})


def _lazy(awards: pd.DataFrame, index_frame: pd.DataFrame, params: EnrichmentParams,
          frozen: dict[str, Any] | None = None) -> tuple[dict, dict[str, Any]]:
    partitions = _index_partitions(index_frame)
    index, digest = index_recipients(partitions, params)
    chunks = _loaders(split_awards(awards, params))
    model = estimate_match_model(chunks, index, frozen, params)
    return enrich_chunks(award_chunks=chunks, recipients=index, recipients_digest=digest,
                         match_model=model, params=params, recipient_index=partitions,
                         dask=DaskParams(enabled=False)), model


def _run(awards: pd.DataFrame, index_frame: pd.DataFrame, params: EnrichmentParams
         ) -> tuple[pd.DataFrame, pd.DataFrame]:
    enriched, review, links = combine_chunks(_lazy(awards, index_frame, params)[0], params)
    pd.testing.assert_frame_equal(links, enriched[list(LINK_COLUMNS)])
    return enriched, review


@cache
def _default_run() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    awards, index_frame, truth = generated()
    enriched, review = _run(awards, index_frame, _params())
    return enriched, review, measure_accuracy(enriched[list(LINK_COLUMNS)], review, truth)


def test_split_keys_chunks_by_number_and_content() -> None:
    awards, _, _ = generated()
    chunks = split_awards(awards, _params(chunk_size=400))
    assert [key[:11] for key in chunks] == ["chunk-00000", "chunk-00001", "chunk-00002",
                                            "chunk-00003"]
    assert [len(frame) for frame in chunks.values()] == [400, 400, 400, 300]
    changed = awards.copy()
    changed.loc[450, "company"] = "Someone Else Inc"
    again = list(split_awards(changed, _params(chunk_size=400)))
    assert [a == b for a, b in zip(chunks, again, strict=True)] == [True, False, True, True]


def test_enriched_chunks_are_lazy_and_fingerprinted() -> None:
    awards, index_frame, _ = generated()
    params = _params()
    first, model = _lazy(awards, index_frame, params)
    assert all(callable(compute) for compute in first.values())
    again, model_again = _lazy(awards, index_frame, params)
    assert list(first) == list(again)  # same inputs, same model, same ids
    assert model_again == model
    other_settings, _ = _lazy(awards, index_frame, _params(accept_probability=0.97))
    assert set(first).isdisjoint(other_settings)
    edited = index_frame.copy()
    edited.loc[3, "name"] = "RENAMED LLC"
    other_index, _ = _lazy(awards, edited, params)
    assert set(first).isdisjoint(other_index)
    heavier = {**model, "match_share": model["match_share"] / 2}
    other_model, _ = _lazy(awards, index_frame, params, frozen=heavier)
    assert set(first).isdisjoint(other_model)


def test_a_frozen_model_is_used_unchanged_and_says_so() -> None:
    awards, index_frame, _ = generated()
    params = _params()
    estimated = _lazy(awards, index_frame, params)[1]
    assert estimated["estimation"]["source"] == "estimated"
    frozen = freeze_match_model(estimated)
    # Frozen on all awards, reused on a few: the weights stay; a fresh estimate would move.
    reused = _lazy(awards.iloc[:300], index_frame, params, frozen=frozen)[1]
    assert reused["estimation"]["source"] == "frozen"
    assert reused["comparisons"] == estimated["comparisons"]
    fresh = _lazy(awards.iloc[:300], index_frame, params)[1]
    assert fresh["comparisons"] != estimated["comparisons"]


def test_a_frozen_model_of_other_comparisons_is_refused() -> None:
    awards, index_frame, _ = generated()
    model = _lazy(awards.iloc[:200], index_frame, _params())[1]
    broken = {**model, "comparisons": {k: v for k, v in model["comparisons"].items()
                                       if k != "state"}}
    with pytest.raises(ValueError, match="estimate a new model"):
        _lazy(awards.iloc[:200], index_frame, _params(), frozen=broken)


def test_chunked_output_equals_unchunked_output() -> None:
    awards, index_frame, _ = generated()
    chunked, chunked_review = _run(awards, index_frame, _params(chunk_size=97))
    whole, whole_review = _run(awards, index_frame, _params(chunk_size=10**6))
    pd.testing.assert_frame_equal(chunked, whole)
    pd.testing.assert_frame_equal(chunked_review, whole_review)
    assert chunked["source_row"].tolist() == awards["source_row"].tolist()
    assert not chunked_review.empty


def test_zero_awards_give_empty_outputs_with_every_column() -> None:
    awards, index_frame, truth = generated()
    assert len(split_awards(awards.iloc[:0], _params())) == 1  # one empty chunk, typed
    enriched, review = _run(awards.iloc[:0], index_frame, _params())
    some, some_review = _run(awards.iloc[:50], index_frame, _params())
    assert enriched.empty and review.empty
    pd.testing.assert_series_equal(enriched.dtypes, some.dtypes)
    pd.testing.assert_series_equal(review.dtypes, some_review.dtypes)
    assert measure_accuracy(enriched[list(LINK_COLUMNS)], review, truth)["awards"] == 0


def test_generated_sample_meets_the_accuracy_targets() -> None:
    enriched, review, report = _default_run()
    assert report["precision"] >= 0.98
    assert report["recall"] >= 0.95
    # Review-band awards are not counted as matched and list their candidates.
    in_band = enriched[enriched["in_review_band"]]
    assert (in_band["match_method"] == "unmatched").all()
    assert set(review["source_row"]) == set(in_band["source_row"])


@pytest.mark.parametrize("method", ["uei_exact", "duns_exact", "name_fuzzy"])
def test_every_method_is_exercised_on_generated_data(method: str) -> None:
    report = _default_run()[2]
    assert report["by_method"][method]["matched"] > 50
    assert report["by_method"][method]["precision"] >= 0.97
