"""Name parts, rendering and rewriting (the pieces the award/recipient names are made of)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from rapidfuzz.distance import OSA, Levenshtein

from sbir_enrichment.sample_data import names as nm
from sbir_enrichment.sample_data.vocabulary import load_vocabulary


@pytest.fixture(scope="module")
def lexicon() -> nm.Lexicon:
    return nm.build_lexicon(np.random.default_rng(0), load_vocabulary(), 5000)


def _parts(lexicon: nm.Lexicon, words: list[list[str]], suffix: list[str],
           punctuation: list[int], joiner: list[int] | None = None) -> nm.NameParts:
    index = {w: i for i, w in enumerate(lexicon.words.to_pylist())}
    tokens = np.full((len(words), nm.MAX_TOKENS), -1)
    for row, ws in enumerate(words):
        tokens[row, : len(ws)] = [index[w] for w in ws]
    return nm.NameParts(tokens, np.array(joiner or [0] * len(words), dtype=np.int8),
                        np.array([nm.SUFFIXES.index(s) for s in suffix]),
                        np.array(punctuation, dtype=np.int8))


def test_render_writes_suffix_in_each_punctuation_style(lexicon: nm.Lexicon) -> None:
    parts = _parts(lexicon, [["ADVANCED", "SYSTEMS"]] * 4 + [["ADVANCED", "SYSTEMS"]] * 2,
                   ["INC"] * 4 + ["LLC", ""], [0, 1, 2, 3, 2, 1])
    assert nm.render(parts, lexicon).to_pylist() == [
        "ADVANCED SYSTEMS INC", "ADVANCED SYSTEMS, INC", "ADVANCED SYSTEMS, INC.",
        "ADVANCED SYSTEMS INC.", "ADVANCED SYSTEMS, LLC", "ADVANCED SYSTEMS"]


def test_joiner_goes_before_the_last_word(lexicon: nm.Lexicon) -> None:
    parts = _parts(lexicon, [["SYSTEMS", "RESEARCH", "CONSULTING"], ["MAY", "MEADOW"]],
                   ["LLC", "INC"], [0, 0], joiner=[1, 2])
    assert nm.render(parts, lexicon).to_pylist() == [
        "SYSTEMS RESEARCH & CONSULTING LLC", "MAY AND MEADOW INC"]


def test_draw_names_gives_distinct_cores_from_real_words(lexicon: nm.Lexicon) -> None:
    vocabulary = load_vocabulary()
    parts = nm.draw_names(np.random.default_rng(1), vocabulary, lexicon, 4000)
    cores = nm.core_names(nm.NameParts(parts.tokens, np.zeros(4000, dtype=np.int8), parts.suffix,
                                       parts.punctuation), lexicon).to_pylist()
    assert len(set(cores)) == 4000
    tails = set(vocabulary.tail_tokens.values.tolist())
    later = parts.tokens[:, 1:][parts.tokens[:, 1:] >= 0]
    assert set(lexicon.words.take(pa.array(later)).to_pylist()) <= tails
    one_word = (parts.tokens >= 0).sum(axis=1) == 1
    assert 0.3 <= one_word.mean() <= 0.45  # real names: 37% have one core word


def test_other_suffix_is_another_legal_form_never_none() -> None:
    vocabulary = load_vocabulary()
    suffix = np.array([nm.SUFFIXES.index(s) for s in ["INC", "INCORPORATED", "LLC", "", "CORP"]])
    other = nm.other_suffix(np.random.default_rng(2), vocabulary, np.repeat(suffix, 200))
    assert (other > 0).all()
    assert (nm.SUFFIX_CANON_CODE[other] != nm.SUFFIX_CANON_CODE[np.repeat(suffix, 200)]).all()


def test_respelling_keeps_the_legal_form() -> None:
    written = np.arange(len(nm.SUFFIXES))
    respelt = nm.SUFFIX_RESPELLING[written]
    assert (nm.SUFFIX_CANON_CODE[respelt] == nm.SUFFIX_CANON_CODE[written]).all()
    assert nm.SUFFIXES[respelt[nm.SUFFIXES.index("INC")]] == "INCORPORATED"
    assert nm.SUFFIXES[respelt[nm.SUFFIXES.index("L.L.C.")]] == "LLC"


def test_abbreviations_switch_both_ways(lexicon: nm.Lexicon) -> None:
    words = [["QUANTUM", "TECHNOLOGIES"], ["QUANTUM", "LABS"], ["QUANTUM", "OPTICS"]]
    parts = _parts(lexicon, words, ["INC"] * 3, [0] * 3)
    assert nm.can_abbreviate(parts.tokens, lexicon).tolist() == [True, True, False]
    switched = nm.NameParts(nm.switch_abbreviations(parts.tokens, lexicon), parts.joiner,
                            parts.suffix, parts.punctuation)
    assert nm.render(switched, lexicon).to_pylist() == [
        "QUANTUM TECH INC", "QUANTUM LABORATORIES INC", "QUANTUM OPTICS INC"]


def test_change_one_token_keeps_the_first_word_and_changes_one_later_word(
        lexicon: nm.Lexicon) -> None:
    rng = np.random.default_rng(3)
    parts = nm.draw_names(rng, load_vocabulary(), lexicon, 2000)
    changed = nm.change_one_token(rng, lexicon, parts.tokens)
    assert (changed[:, 0] == parts.tokens[:, 0]).all()
    one_word = (parts.tokens >= 0).sum(axis=1) == 1
    differing = (changed != parts.tokens).sum(axis=1)
    assert (differing == 1).all()
    assert ((changed >= 0).sum(axis=1)[one_word] == 2).all()


def test_one_typo_changes_one_letter() -> None:
    rng = np.random.default_rng(4)
    text = np.array(["PUMPKINSEED TECHNOLOGIES", "MESPILUS", "ZWITTERCO BIO"] * 300)
    typos = nm.one_typo(rng, text).tolist()
    assert all(OSA.distance(a, b) == 1 for a, b in zip(text, typos, strict=True))
    assert all(a.count(" ") == b.count(" ") for a, b in zip(text, typos, strict=True))


def test_foreign_forms_are_respelt_as_exports_write_them() -> None:
    respelt = {form: nm.SUFFIXES[nm.SUFFIX_RESPELLING[nm.SUFFIXES.index(form)]]
               for form in nm.FOREIGN_SUFFIXES}
    assert respelt["S.A."] == "SA" and respelt["PTY LTD"] == "PTY"
    assert respelt["S.P.A."] == "S P A" and respelt["OY"] == "OY"
    assert nm.IS_FOREIGN[[nm.SUFFIXES.index(s) for s in ("SA", "PTY", "GMBH")]].all()
    assert not nm.IS_FOREIGN[[nm.SUFFIXES.index(s) for s in ("", "INC", "LTD", "PBC")]].any()


def test_with_foreign_forms_registers_the_share_with_a_foreign_form(lexicon: nm.Lexicon) -> None:
    rng = np.random.default_rng(5)
    parts = nm.draw_names(rng, load_vocabulary(), lexicon, 4000)
    foreign = nm.with_foreign_forms(rng, parts, 0.25)
    changed = foreign.suffix != parts.suffix
    assert 0.2 <= changed.mean() <= 0.3
    assert nm.IS_FOREIGN[foreign.suffix[changed]].all()
    assert (foreign.tokens == parts.tokens).all()


def test_initials_and_short_names(lexicon: nm.Lexicon) -> None:
    parts = _parts(lexicon, [["ADVANCED", "MATERIALS", "RESEARCH"], ["QUANTUM"],
                             ["QUANTUM", "OPTICS"], ["PUMPKINSEED"]], ["INC"] * 4, [0] * 4)
    assert nm.initials(parts.tokens, lexicon).to_pylist() == ["AMR", "Q", "QO", "P"]
    assert nm.word_count(parts.tokens).tolist() == [3, 1, 2, 1]
    assert nm.is_short_name(parts, lexicon).tolist() == [False, True, False, False]


def test_one_letter_off_is_one_edit_away_and_never_the_same_word() -> None:
    rng = np.random.default_rng(6)
    words = np.array(["ORBIT", "ELCOM", "ALCON", "VENTUS", "NEXUMA"] * 400)
    changed = nm.one_letter_off(rng, words).tolist()
    assert all(Levenshtein.distance(a, b) == 1 for a, b in zip(words, changed, strict=True))
    lengths = {len(b) - len(a) for a, b in zip(words, changed, strict=True)}
    assert lengths == {-1, 0, 1}
    assert all(len(b) >= 4 for b in changed)  # a letter is dropped only from 5+ letters


def test_short_one_word_names_keep_their_real_share_at_scale() -> None:
    """Real lists: 13.6% of firms are one word of 4–7 letters; coined words keep that share
    when they make up most first words (hundreds of thousands of names)."""
    rng = np.random.default_rng(7)
    vocabulary = load_vocabulary()
    lexicon = nm.build_lexicon(rng, vocabulary, 300_000)
    parts = nm.draw_names(rng, vocabulary, lexicon, 300_000)
    assert 0.11 <= nm.is_short_name(parts, lexicon).mean() <= 0.17
