"""Firm names: drawn from real tokens, rendered as registered, rewritten as exports write them.

A name is held as integer parts so that millions of names cost little: up to ``MAX_TOKENS``
word codes into a ``Lexicon`` (``-1`` after the last word), a joining word put before the last
word (``&``/``AND``, or none), a legal-suffix code into ``SUFFIXES`` and a punctuation style.
Strings are made only at the end, with pyarrow. Every function works on whole arrays at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sbir_enrichment.sample_data.arrow import strings
from sbir_enrichment.sample_data.vocabulary import STRING, Vocabulary

MAX_TOKENS = 5
SHORT_NAME_LETTERS = (4, 7)  # a short name is one word of 4–7 letters (ORBIT, ELCOM)
DISTINCT_WORD_SLACK = 1.2  # distinctive first words available per name needing one
PIECE_LETTERS = (2, 5)  # a coined word joins a 2–5 letter beginning to a 2–5 letter ending

# Legal suffixes as written; their index is the suffix code. Index 0 = no suffix. The US forms
# come first; then foreign forms as registered, each followed by its other spelling (if any).
SUFFIXES: tuple[str, ...] = (
    "", "INC", "INCORPORATED", "LLC", "L.L.C.", "CORP", "CORPORATION", "CO", "COMPANY", "LTD",
    "LIMITED", "LP", "LLP", "PLLC", "PC", "PBC",
    "GMBH", "G.M.B.H.", "S.A.", "SA", "AG", "A.G.", "B.V.", "BV", "PTY LTD", "PTY", "S.R.L.",
    "SRL", "AB", "A.B.", "OY", "SP. Z O.O.", "SP Z OO", "S.P.A.", "S P A",
)
SUFFIX_CANON: tuple[str, ...] = (
    "", "INC", "INC", "LLC", "LLC", "CORP", "CORP", "CO", "CO", "LTD", "LTD", "LP", "LLP", "PLLC",
    "PC", "PBC",
    "GMBH", "GMBH", "S.A.", "S.A.", "AG", "AG", "B.V.", "B.V.", "PTY LTD", "PTY LTD", "S.R.L.",
    "S.R.L.", "AB", "AB", "OY", "SP. Z O.O.", "SP. Z O.O.", "S.P.A.", "S.P.A.",
)
# Foreign legal forms as firms register them (``firms.foreign_form_share``).
FOREIGN_SUFFIXES: tuple[str, ...] = (
    "GMBH", "S.A.", "AG", "B.V.", "PTY LTD", "S.R.L.", "AB", "OY", "SP. Z O.O.", "S.P.A.",
)
# Another spelling of the same legal form (code → code; the suffix itself when there is none).
_RESPELLING = {"INC": "INCORPORATED", "LLC": "L.L.C.", "CORP": "CORPORATION", "CO": "COMPANY",
               "LTD": "LIMITED", "GMBH": "G.M.B.H.", "S.A.": "SA", "AG": "A.G.", "B.V.": "BV",
               "PTY LTD": "PTY", "S.R.L.": "SRL", "AB": "A.B.", "SP. Z O.O.": "SP Z OO",
               "S.P.A.": "S P A"}
_RESPELLING.update({v: k for k, v in _RESPELLING.items()})
SUFFIX_RESPELLING = np.array([SUFFIXES.index(_RESPELLING.get(s, s)) for s in SUFFIXES])
SUFFIX_CANON_CODE = np.array([SUFFIXES.index(c) for c in SUFFIX_CANON])
FOREIGN_SUFFIX_CODES = np.array([SUFFIXES.index(s) for s in FOREIGN_SUFFIXES])
IS_FOREIGN = np.isin(SUFFIX_CANON_CODE, FOREIGN_SUFFIX_CODES)
"""Suffix code → whether it is a foreign legal form (in any spelling)."""
ABBREVIATED_SUFFIXES = np.isin(SUFFIXES, ("INC", "CORP", "CO", "LTD"))  # take a period

# Punctuation around the suffix: "CORE INC", "CORE, INC", "CORE, INC.", "CORE INC."
PUNCTUATION_STYLES = np.array([0, 1, 2, 3], dtype=np.int8)
REGISTERED_PUNCTUATION_P = np.array([0.60, 0.15, 0.20, 0.05])
JOINERS = ("", "&", "AND")

# Long word ↔ the abbreviation real exports use; switched in whichever direction the name allows.
ABBREVIATIONS: dict[str, str] = {
    "TECHNOLOGIES": "TECH", "TECHNOLOGY": "TECH", "LABORATORIES": "LABS", "LABORATORY": "LAB",
    "INTERNATIONAL": "INTL", "ASSOCIATES": "ASSOC", "ENGINEERING": "ENGR",
    "MANUFACTURING": "MFG", "SYSTEMS": "SYS", "SCIENCES": "SCI", "RESEARCH": "RSCH",
    "DEVELOPMENT": "DEV", "INDUSTRIES": "IND", "ENTERPRISES": "ENT", "SERVICES": "SVCS",
    "AMERICA": "AMER",
}
EXPANSIONS: dict[str, str] = {
    "TECH": "TECHNOLOGIES", "LABS": "LABORATORIES", "LAB": "LABORATORY", "INTL": "INTERNATIONAL",
    "ASSOC": "ASSOCIATES", "MFG": "MANUFACTURING",
}
_ALPHABET = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), dtype=STRING)


@dataclass(frozen=True)
class Lexicon:
    """All words names are made of, how first and later words are drawn, and abbreviations.

    A first word is either generic (a real first word that several real firms share, such as
    ADVANCED or QUANTUM, drawn by frequency) or distinctive (a real one-firm word such as
    PUMPKINSEED, or a word coined from pieces of real ones, drawn uniformly from a pool sized
    so that each is used about once).
    """

    words: pa.Array
    generic_codes: np.ndarray
    generic_p: np.ndarray
    generic_share: float
    """Share of real names whose first word is generic."""
    distinctive_codes: np.ndarray
    tail_codes: np.ndarray
    tail_p: np.ndarray
    switched: np.ndarray
    """Word code → code of its abbreviation or expansion (itself when it has none)."""

    def generic(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Generic first words by frequency."""
        return self.generic_codes[_draw(rng, self.generic_p, size)]

    def distinctive(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Distinctive first words, uniformly."""
        return self.distinctive_codes[rng.integers(0, len(self.distinctive_codes), size)]

    def tail(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Real later words by frequency."""
        return self.tail_codes[_draw(rng, self.tail_p, size)]


def _draw(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn by probability ``p`` (inverse CDF; faster than ``rng.choice``)."""
    cdf = np.cumsum(p)
    return np.minimum(np.searchsorted(cdf, rng.random(size) * cdf[-1]), len(p) - 1)


def _word_pieces(words: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """Beginnings and endings (``PIECE_LETTERS``) of real words, distinct, shortest first."""
    words = words[np.strings.isalpha(words) & (np.strings.str_len(words) >= 5)]
    length = np.strings.str_len(words)
    sizes = range(PIECE_LETTERS[0], PIECE_LETTERS[1] + 1)
    starts = np.concatenate([np.strings.slice(words, 0, k) for k in sizes])
    ends = np.concatenate([np.strings.slice(words, np.maximum(length - k, 1), length)
                           for k in sizes])
    return _by_length(starts), _by_length(ends)


def _by_length(pieces: np.ndarray) -> pa.Array:
    """The distinct pieces, shortest first."""
    distinct = pc.unique(strings(pieces))
    return distinct.take(pa.array(np.argsort(pc.utf8_length(distinct).to_numpy(), kind="stable")))


def _pick_pieces(rng: np.random.Generator, pieces: pa.Array, letters: np.ndarray) -> pa.Array:
    """For each wanted length, a random piece of that many letters (``pieces`` shortest first)."""
    lengths = pc.utf8_length(pieces).to_numpy()
    first = np.searchsorted(lengths, letters, side="left")
    count = np.searchsorted(lengths, letters, side="right") - first
    return pieces.take(pa.array(first + (rng.random(len(letters)) * count).astype(np.int64)))


def _coined_words(rng: np.random.Generator, vocabulary: Vocabulary, size: int) -> pa.Array:
    """About ``size`` new words, each a real word's beginning joined to another's ending.

    Their lengths follow those of real one-word firm names (clipped to what two pieces make),
    so short one-word names (PRAG, OWLFLY) stay as common at 3.4M names as in the real lists.
    """
    starts, ends = _word_pieces(vocabulary.lead_tokens.values)
    low, high = PIECE_LETTERS
    length = np.clip(vocabulary.one_word_name_letters.draw(rng, size), 2 * low, 2 * high)
    start_letters = rng.integers(np.maximum(low, length - high), np.minimum(high, length - low) + 1)
    left = _pick_pieces(rng, starts, start_letters)
    right = _pick_pieces(rng, ends, length - start_letters)
    coined = pc.unique(pc.binary_join_element_wise(left, right, ""))
    legal_ending = pc.match_substring_regex(coined, "(LLC|INC|CORP|LTD)$")
    return coined.filter(pc.and_(pc.greater_equal(pc.utf8_length(coined), 4),
                                 pc.invert(legal_ending)))


def build_lexicon(rng: np.random.Generator, vocabulary: Vocabulary, n_names: int) -> Lexicon:
    """The lexicon for ``n_names`` names: real words, enough coined words, abbreviations."""
    extra = list(ABBREVIATIONS.values()) + list(EXPANSIONS.values())
    extra += list(ABBREVIATIONS) + list(EXPANSIONS)
    leads = vocabulary.lead_tokens
    lead_counts = leads.p / leads.p.min()
    generic = lead_counts > 1.5
    real = pd.Index(np.concatenate([leads.values.astype(object),
                                    vocabulary.tail_tokens.values.astype(object),
                                    np.array(extra, dtype=object)])).unique()
    generic_share = float(leads.p[generic].sum())
    wanted = int(DISTINCT_WORD_SLACK * n_names * (1 - generic_share)) - int((~generic).sum())
    coined = _coined_words(rng, vocabulary, max(wanted, 0))
    coined = coined.filter(pc.invert(pc.is_in(coined, pa.array(real.to_numpy(), pa.string()))))
    code = dict(zip(extra, real.get_indexer(extra).tolist(), strict=True))
    switched = np.arange(len(real) + len(coined))
    for long, short in {**ABBREVIATIONS, **EXPANSIONS}.items():
        switched[code[long]] = code[short]
    lead_codes = real.get_indexer(leads.values.astype(object))
    return Lexicon(
        words=pa.concat_arrays([pa.array(real.to_numpy(), type=pa.string()), coined]),
        generic_codes=lead_codes[generic],
        generic_p=leads.p[generic] / generic_share,
        generic_share=generic_share,
        distinctive_codes=np.concatenate([lead_codes[~generic],
                                          np.arange(len(real), len(real) + len(coined))]),
        tail_codes=real.get_indexer(vocabulary.tail_tokens.values.astype(object)),
        tail_p=vocabulary.tail_tokens.p,
        switched=switched,
    )


@dataclass(frozen=True)
class NameParts:
    """Names held as codes (see the module docstring); all arrays share their first axis."""

    tokens: np.ndarray
    joiner: np.ndarray
    suffix: np.ndarray
    punctuation: np.ndarray

    def __len__(self) -> int:
        return len(self.suffix)

    def take(self, index: np.ndarray) -> NameParts:
        """The names at ``index`` (integer positions or a boolean mask)."""
        return NameParts(self.tokens[index], self.joiner[index], self.suffix[index],
                         self.punctuation[index])


def _draw_tokens(rng: np.random.Generator, lexicon: Lexicon, counts: np.ndarray) -> np.ndarray:
    """A ``(len(counts), MAX_TOKENS)`` code array: a first word, then ``count - 1`` other words.

    One-word names always get a distinctive word; longer ones a generic first word often enough
    that the overall share of generic first words is the real one.
    """
    size = len(counts)
    tokens = np.full((size, MAX_TOKENS), -1, dtype=np.int64)
    multi = counts > 1
    generic_share = min(1.0, lexicon.generic_share / max(multi.mean(), 1e-9))
    use_generic = multi & (rng.random(size) < generic_share)
    tokens[:, 0] = np.where(use_generic, lexicon.generic(rng, size),
                            lexicon.distinctive(rng, size))
    for k in range(1, MAX_TOKENS):
        words = lexicon.tail(rng, size)
        repeated = (tokens[:, :k] == words[:, None]).any(axis=1)
        words[repeated] = lexicon.tail(rng, int(repeated.sum()))
        tokens[:, k] = np.where(counts > k, words, -1)
    return tokens


def core_keys(tokens: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row's word codes: equal cores give equal keys."""
    keys = np.zeros(len(tokens), dtype=np.uint64)
    for k in range(tokens.shape[1]):
        keys = keys * np.uint64(0x9E3779B97F4A7C15) + (tokens[:, k] + 2).astype(np.uint64)
    return keys


def draw_names(rng: np.random.Generator, vocabulary: Vocabulary, lexicon: Lexicon, size: int,
               joiner_share: float = 0.035) -> NameParts:
    """``size`` names with distinct cores, built from real tokens and suffix frequencies.

    Distinct means distinct word codes (the joiner and suffix are drawn afterwards); a rare
    64-bit key collision only drops a candidate.
    """
    found, keys = [], np.empty(0, dtype=np.uint64)
    while len(keys) < size:
        counts = vocabulary.core_token_counts.draw(rng, int((size - len(keys)) * 1.2) + 16)
        batch = _draw_tokens(rng, lexicon, counts)
        batch_keys = core_keys(batch)
        new = ~pd.Series(np.concatenate([keys, batch_keys])).duplicated().to_numpy()[len(keys):]
        found.append(batch[new])
        keys = np.concatenate([keys, batch_keys[new]])
    found = np.concatenate(found)
    tokens = found[:size]
    multi = tokens[:, 1] >= 0
    joiner = np.where(multi & (rng.random(size) < joiner_share),
                      np.where(rng.random(size) < 0.6, 1, 2), 0).astype(np.int8)
    suffix = draw_suffixes(rng, vocabulary, size)
    punctuation = rng.choice(PUNCTUATION_STYLES, size=size, p=REGISTERED_PUNCTUATION_P)
    return NameParts(tokens, joiner, suffix, punctuation)


def draw_suffixes(rng: np.random.Generator, vocabulary: Vocabulary, size: int) -> np.ndarray:
    """Suffix codes drawn by the real suffix frequencies."""
    written = np.asarray(vocabulary.legal_suffixes.values, dtype=object)
    codes = np.array([SUFFIXES.index(s) for s in written])
    return codes[_draw(rng, vocabulary.legal_suffixes.p, size)]


def _strings(words: pa.Array, codes: np.ndarray) -> pa.Array:
    """Words for codes; null where the code is negative."""
    return words.take(pa.array(codes, mask=codes < 0))


def core_names(parts: NameParts, lexicon: Lexicon) -> pa.Array:
    """The core of each name: its words, with the joiner (if any) before the last word."""
    last = (parts.tokens >= 0).sum(axis=1) - 1
    joiners = pa.array(JOINERS)
    columns = [_strings(lexicon.words, parts.tokens[:, 0])]
    for k in range(1, MAX_TOKENS):
        joiner = np.where((last == k) & (parts.joiner > 0), parts.joiner, -1)
        columns += [_strings(joiners, joiner), _strings(lexicon.words, parts.tokens[:, k])]
    return pc.binary_join_element_wise(*columns, " ", null_handling="skip")


def initials(tokens: np.ndarray, lexicon: Lexicon) -> pa.Array:
    """The first letter of each word, run together (ADVANCED MATERIALS RESEARCH → AMR)."""
    letters = [pc.utf8_slice_codeunits(_strings(lexicon.words, tokens[:, k]), 0, 1)
               for k in range(MAX_TOKENS)]
    return pc.binary_join_element_wise(*letters, "", null_handling="skip")


def word_count(tokens: np.ndarray) -> np.ndarray:
    """Words in each core."""
    return (tokens >= 0).sum(axis=1)


def is_short_name(parts: NameParts, lexicon: Lexicon) -> np.ndarray:
    """Names whose core is one word of ``SHORT_NAME_LETTERS`` letters (ORBIT, ELCOM)."""
    letters = pc.utf8_length(lexicon.words).to_numpy()[np.maximum(parts.tokens[:, 0], 0)]
    low, high = SHORT_NAME_LETTERS
    return (word_count(parts.tokens) == 1) & (letters >= low) & (letters <= high)


def one_letter_off(rng: np.random.Generator, words: np.ndarray) -> np.ndarray:
    """Each word with one letter added in front or at the end, replaced, or dropped.

    ELCOM → TELCOM, ORBIT → ORBITZ, ALCON → ALCAN, VENTUS → VENUS; a letter is dropped only
    from words of five letters or more.
    """
    words = np.asarray(words, dtype=STRING)
    n = len(words)
    length = np.strings.str_len(words)
    letter = _ALPHABET[rng.integers(0, len(_ALPHABET), n)]
    pos = (rng.random(n) * length).astype(np.int64)
    before, after = np.strings.slice(words, 0, pos), np.strings.slice(words, pos + 1, length)
    current = np.strings.slice(words, pos, pos + 1)
    letter = np.where(letter == current, np.where(letter == "E", "A", "E"), letter)
    kind = rng.integers(0, 4, n)
    kind = np.where((kind == 3) & (length < 5), 2, kind)
    return np.select([kind == 0, kind == 1, kind == 2],
                     [letter + words, words + letter, before + letter + after],
                     before + after).astype(STRING)


def suffix_marks(punctuation: np.ndarray, suffix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each name has a comma before its suffix, and a period after it."""
    comma = np.isin(punctuation, (1, 2)) & (suffix > 0)
    period = np.isin(punctuation, (2, 3)) & ABBREVIATED_SUFFIXES[suffix]
    return comma, period


def render(parts: NameParts, lexicon: Lexicon, core: pa.Array | None = None) -> pa.Array:
    """Full names: core, then the suffix in the punctuation style of each row."""
    core = core_names(parts, lexicon) if core is None else core
    suffix = pa.array(SUFFIXES).take(pa.array(parts.suffix))
    comma, period = suffix_marks(parts.punctuation, parts.suffix)
    separator = strings(np.where(comma, ", ", np.where(parts.suffix > 0, " ", "")))
    ending = strings(np.where(period, ".", ""))
    return pc.binary_join_element_wise(core, separator, suffix, ending, "")


def with_foreign_forms(rng: np.random.Generator, parts: NameParts, share: float) -> NameParts:
    """``share`` of the names registered with a foreign legal form instead (uniformly drawn)."""
    foreign = rng.random(len(parts)) < share
    drawn = FOREIGN_SUFFIX_CODES[rng.integers(0, len(FOREIGN_SUFFIX_CODES), len(parts))]
    return with_suffix(parts, np.where(foreign, drawn, parts.suffix))


def other_suffix(rng: np.random.Generator, vocabulary: Vocabulary,
                 suffix: np.ndarray) -> np.ndarray:
    """A suffix of another legal form than each given one, never none (drawn by frequency)."""
    out = draw_suffixes(rng, vocabulary, len(suffix))
    bad = (SUFFIX_CANON_CODE[out] == SUFFIX_CANON_CODE[suffix]) | (out == 0)
    while bad.any():
        out[bad] = draw_suffixes(rng, vocabulary, int(bad.sum()))
        bad = (SUFFIX_CANON_CODE[out] == SUFFIX_CANON_CODE[suffix]) | (out == 0)
    return out


def can_abbreviate(tokens: np.ndarray, lexicon: Lexicon) -> np.ndarray:
    """Rows with at least one word that has a long or short counterpart."""
    safe = np.where(tokens >= 0, tokens, 0)
    return ((lexicon.switched[safe] != safe) & (tokens >= 0)).any(axis=1)


def switch_abbreviations(tokens: np.ndarray, lexicon: Lexicon) -> np.ndarray:
    """Every abbreviable word written the other way (TECHNOLOGIES ↔ TECH...)."""
    return np.where(tokens >= 0, lexicon.switched[np.where(tokens >= 0, tokens, 0)], -1)


def change_one_token(rng: np.random.Generator, lexicon: Lexicon,
                     tokens: np.ndarray) -> np.ndarray:
    """One later word replaced by another real word; a one-word name gets a second word.

    The first word, usually the distinctive one, is kept: ``PUMPKINSEED TECHNOLOGIES`` becomes
    ``PUMPKINSEED SYSTEMS``, and ``MESPILUS`` becomes ``MESPILUS BIO``.
    """
    out = tokens.copy()
    n = len(tokens)
    counts = (tokens >= 0).sum(axis=1)
    rows = np.arange(n)
    position = np.where(counts == 1, 1, rng.integers(1, np.maximum(counts, 2)))
    replacement = lexicon.tail(rng, n)
    while (same := (out == replacement[:, None]).any(axis=1)).any():
        replacement[same] = lexicon.tail(rng, int(same.sum()))
    out[rows, position] = replacement
    return out


def one_typo(rng: np.random.Generator, text: np.ndarray) -> np.ndarray:
    """One character of each text changed: substituted, dropped, doubled or swapped."""
    text = np.asarray(text, dtype=STRING)
    n = len(text)
    length = np.strings.str_len(text)
    pos = np.minimum((rng.random(n) * np.maximum(length - 1, 1)).astype(np.int64) + 1,
                     np.maximum(length - 1, 0))
    on_space = np.strings.slice(text, pos, pos + 1) == " "
    pos = np.where(on_space, pos - 1, pos)  # change a letter, never a space between words
    before = np.strings.slice(text, 0, pos)
    char = np.strings.slice(text, pos, pos + 1)
    after = np.strings.slice(text, pos + 1, length)
    letter = _ALPHABET[rng.integers(0, len(_ALPHABET), n)]
    letter = np.where(letter == np.strings.upper(char), np.where(letter == "E", "A", "E"), letter)
    kind = rng.integers(0, 4, n)
    next_char = np.strings.slice(after, 0, 1)
    swappable = (next_char != char) & (next_char != "") & (next_char != " ")
    kind = np.where((kind == 3) & ~swappable, 0, kind)
    kind = np.where((kind == 1) & (length < 5), 0, kind)
    swapped = before + next_char + char + np.strings.slice(after, 1, np.strings.str_len(after))
    return np.select(
        [kind == 0, kind == 1, kind == 2],
        [before + letter + after, before + after, before + char + char + after],
        swapped,
    ).astype(STRING)


def with_suffix(parts: NameParts, suffix: np.ndarray) -> NameParts:
    """The same names with other suffix codes."""
    return replace(parts, suffix=suffix)
