"""Blocking rules: key tables, rare words under a cap, spelling keys from the ends of a name,
acronyms, state not a wall."""

from __future__ import annotations

import numpy as np
import pandas as pd
from enrichment_inputs import configured_settings, recipients_frame

from sbir_enrichment.matching import RecipientIndex
from sbir_enrichment.matching.blocking import KeyTable, NameKeys


def test_key_table_returns_every_row_of_each_key_and_skips_big_blocks() -> None:
    table = KeyTable.build(np.array([5, 7, 5, 0, 5], dtype=np.uint32), np.arange(5))
    owners, rows = table.pairs(np.array([5, 7, 9, 0], dtype=np.uint32), np.array([10, 11, 12, 13]))
    pairs = sorted(zip(owners.tolist(), rows.tolist(), strict=True))
    assert pairs == [(10, 0), (10, 2), (10, 4), (11, 1)]
    assert table.sizes(np.array([5, 0], dtype=np.uint32)).tolist() == [3, 0]  # 0 = missing
    owners, rows = table.pairs(np.array([5, 7], dtype=np.uint32), np.array([0, 1]), max_block=2)
    assert list(zip(owners.tolist(), rows.tolist(), strict=True)) == [(1, 1)]


def test_compact_key_ignores_spaces() -> None:
    keys = NameKeys.of(pd.Series(["BIO TECH", "BIOTECH", "BIO TECHS"]), name_ends=((5, 0),))
    assert keys.compact[0] == keys.compact[1] != keys.compact[2]


def _index(names: list[str], states: list[str] | None = None, **overrides: object
           ) -> tuple[RecipientIndex, object]:
    settings = configured_settings(**overrides)
    states = states or ["CA"] * len(names)
    rows = [(f"h{i}", None, None, name, state) for i, (name, state)
            in enumerate(zip(names, states, strict=True))]
    return RecipientIndex.from_frames([recipients_frame(rows)], settings), settings


def _candidates(index: RecipientIndex, settings, name: str) -> set[int]:
    keys = NameKeys.of(pd.Series([name]), settings.name_ends)
    by_words, by_spelling = index.name_pairs(keys, settings)
    return set(by_words[1].tolist()) | set(by_spelling[1].tolist())


def test_rare_words_propose_candidates_and_common_words_do_not() -> None:
    names = [f"ZETA{i} TECH" for i in range(30)] + ["PUMPILUS TECH"]
    index, settings = _index(names, max_word_block=10, max_affix_block=10)
    found = _candidates(index, settings, "PUMPILUS TECH")
    assert found == {30}  # TECH is held by 31 recipients: over the cap, proposes nothing


def test_only_the_rarest_words_of_a_name_are_used() -> None:
    names = ["ALPHA ONE", "ALPHA TWO", "ALPHA THREE", "BETA ONE", "BETA FOUR", "GAMMA ONE"]
    index, settings = _index(names, rare_words=1, max_affix_block=1)
    # GAMMA (1 recipient) is rarer than ALPHA (3) and BETA (2): only its block is searched.
    assert _candidates(index, settings, "ALPHA BETA GAMMA") == {5}
    index, settings = _index(names, rare_words=2, max_affix_block=1)
    assert _candidates(index, settings, "ALPHA BETA GAMMA") == {3, 4, 5}


def test_keys_from_both_ends_find_a_typo_where_prefix_and_tail_are_crowded() -> None:
    # Eleven names start APEXC and eleven end GTECH (over the cap of ten); the typo is in the
    # middle word (every word is over the cap too), so only a key made of both ends of the name
    # can find the firm.
    names = (["APEX COMPUTING TECH"] + [f"APEX C{word}" for word in
              ("ORE", "LOUD", "ABLE", "ODE", "ARGO", "REST", "ITY", "OVE", "UBE", "OIL", "AMP")]
             + [f"{word} COMPUTING TECH" for word in
                ("ZETA", "ORBIT", "NOVA", "LYRA", "VEGA", "RIGEL", "DENEB", "ALTAIR", "SIRIUS",
                 "CASTOR", "POLLUX")])
    index, settings = _index(names, max_word_block=10, max_affix_block=10)
    assert _candidates(index, settings, "APEX COMPTUING TECH") == {0}
    index, settings = _index(names, max_word_block=10, max_affix_block=10,
                             name_ends=((5, 0), (0, 5)))
    assert 0 not in _candidates(index, settings, "APEX COMPTUING TECH")


def test_prefix_and_tail_keys_survive_a_typo_in_the_only_rare_word() -> None:
    names = ["PUMPILUSMAXA", "ZYGOMAXIMUS", "QUORTAVELLON", "VELOREX TECH"]
    index, settings = _index(names)
    assert _candidates(index, settings, "PUMPILUSMAXB") == {0}  # typo at the end: prefix
    assert _candidates(index, settings, "XYGOMAXIMUS") == {1}  # typo at the start: tail
    # In the middle of a short first word followed by a common word: its head.
    assert _candidates(index, settings, "VELUREX TECH") == {3}


def test_acronyms_propose_the_spelled_out_name_and_back() -> None:
    names = ["INTERNATIONAL BUSINESS MACHINES", "AFGHAN WIRELESS COMMUNICATION CO", "IBX"]
    index, settings = _index(names)
    assert 0 in _candidates(index, settings, "IBM")  # the award is the acronym
    assert 2 in _candidates(index, settings, "INTEGRATED BIO X")  # the recipient is
    assert 1 in _candidates(index, settings, "AWC")  # its legal form is not an initial


def test_state_is_not_a_wall() -> None:
    index, settings = _index(["PUMPILUS TECH", "PUMPILUS TECH"], states=["CA", "MA"])
    assert _candidates(index, settings, "PUMPILUS TECH") == {0, 1}


def test_key_table_without_drops_every_row_of_the_given_keys() -> None:
    table = KeyTable.build(np.array([5, 3, 5, 9, 3], dtype=np.uint32))
    kept = table.without(np.array([3, 7], dtype=np.uint32))
    assert kept.sizes(np.array([3, 5, 9], dtype=np.uint32)).tolist() == [0, 2, 1]
    assert table.without(np.zeros(0, np.uint32)) is table
