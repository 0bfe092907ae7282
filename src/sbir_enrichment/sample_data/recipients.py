"""USAspending ``recipient_lookup`` rows: SBIR firms, their legacy duplicates, look-alikes, fillers.

Row kinds (all written in USAspending's upper case):
- main: the firm's current row (UEI and/or DUNS, current state);
- legacy: an old DUNS-only row of the same firm (same DUNS, no UEI, a slightly different name);
- look-alike: another business with the firm's core name and another legal form, with one
  word changed, or with one letter of the first word changed (different identifiers; usually
  another state);
- filler: businesses that never won an SBIR award, from the same vocabulary.
Only main and legacy rows are acceptable recipients of a firm's awards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sbir_enrichment.sample_data import names as nm
from sbir_enrichment.sample_data.addresses import Addresses, draw_addresses
from sbir_enrichment.sample_data.arrow import strings
from sbir_enrichment.sample_data.config import GeneratorConfig
from sbir_enrichment.sample_data.context import Context, FirmIdentity
from sbir_enrichment.sample_data.firms import Firms, other_states
from sbir_enrichment.sample_data.reference_tables import BUSINESS_TYPE_CODES, RECIPIENT_SOURCES
from sbir_enrichment.sample_data.vocabulary import STRING

RECIPIENT_COLUMNS: tuple[str, ...] = (
    "id", "recipient_hash", "legal_business_name", "duns", "address_line_1", "address_line_2",
    "business_types_codes", "city", "congressional_district", "country_code", "parent_duns",
    "parent_legal_business_name", "state", "zip4", "zip5", "alternate_names", "source",
    "update_date", "uei", "parent_uei",
)
KINDS = ("main", "legacy", "lookalike_suffix", "lookalike_token", "lookalike_letter", "filler")
LOOKALIKE_LABELS = ("suffix lookalike", "word lookalike", "letter lookalike")  # variation labels
MAIN_UEI_MISSING = 0.03  # a firm with a UEI whose current row still lacks it
MAIN_DUNS_MISSING = 0.08  # a firm with a DUNS whose current row lacks it
LOOKALIKE_SAME_STATE = 0.25
SHORT_NAME_WEIGHT = 4.0  # short one-word names: 4× as likely to have a letter look-alike
FILLER_HAS_UEI = 0.70
FILLER_HAS_DUNS = 0.75
ALTERNATE_NAME_SHARE = 0.5  # firms with legacy rows whose current row lists the legacy name
THE_AT_END_SHARE = 0.6  # registered THE names written ``NAME, THE`` rather than ``THE NAME``


@dataclass(frozen=True)
class RecipientPlan:
    """How many rows of each kind each firm gets; decided before names are drawn."""

    legacy_rows: np.ndarray
    suffix_lookalike: np.ndarray
    token_lookalike: np.ndarray

    @property
    def firm_rows(self) -> int:
        """Rows that belong to or imitate SBIR firms (everything but fillers)."""
        return int(self.legacy_rows.sum() + self.suffix_lookalike.sum()
                   + self.token_lookalike.sum())


def plan_recipients(rng: np.random.Generator, config: GeneratorConfig,
                    firms: Firms) -> RecipientPlan:
    """Draw which firms get legacy duplicates and look-alikes."""
    n = len(firms)
    with_legacy = firms.present & firms.has_duns & (rng.random(n) < config.firms.legacy_duns_share)
    legacy_rows = np.where(with_legacy, 1 + (rng.random(n) < 0.2), 0)
    return RecipientPlan(
        legacy_rows=legacy_rows,
        suffix_lookalike=rng.random(n) < config.firms.lookalike_suffix_share,
        token_lookalike=rng.random(n) < config.firms.lookalike_token_share,
    )


@dataclass(frozen=True)
class _Place:
    """Where a row's business is, as Arrow text (compact next to numpy's fixed-width text)."""

    state: pa.Array
    street: pa.Array
    city: pa.Array
    zip5: pa.Array
    zip4: pa.Array


def _place(state: np.ndarray, address: Addresses) -> _Place:
    return _Place(strings(state), strings(address.street), strings(np.char.upper(address.city)),
                  strings(address.zip5), strings(address.zip4))


@dataclass(frozen=True)
class _Rows:
    """Rows of one kind before they are put together; ``update_date`` falls in the year range."""

    kind: int
    firm: np.ndarray
    name: pa.Array
    uei: pa.Array
    duns: pa.Array
    place: _Place
    first_year: np.ndarray
    last_year: np.ndarray

    def __len__(self) -> int:
        return len(self.firm)


def _null_where(values: pa.Array, mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(mask), pa.nulls(len(values), pa.string()), values)


def _with_the(rng: np.random.Generator, name: pa.Array, the_firm: np.ndarray) -> pa.Array:
    """``THE`` added to registered THE names, at the end (``NAME, THE``) or the start."""
    at_end = rng.random(len(name)) < THE_AT_END_SHARE
    ending = strings(np.where(the_firm & at_end, ", THE", ""))
    start = strings(np.where(the_firm & ~at_end, "THE ", ""))
    return pc.binary_join_element_wise(start, name, ending, "")


def _legacy_name_parts(rng: np.random.Generator, lexicon: nm.Lexicon,
                       parts: nm.NameParts) -> nm.NameParts:
    """Older spellings: other punctuation, suffix respelled or dropped, or words abbreviated."""
    n = len(parts)
    change = rng.integers(0, 4, n)
    change = np.where((change == 3) & ~nm.can_abbreviate(parts.tokens, lexicon), 0, change)
    punctuation = np.where(change == 0, (parts.punctuation + rng.integers(1, 4, n)) % 4,
                           parts.punctuation).astype(np.int8)
    suffix = np.select([change == 1, change == 2], [nm.SUFFIX_RESPELLING[parts.suffix], 0],
                       parts.suffix)
    tokens = np.where((change == 3)[:, None], nm.switch_abbreviations(parts.tokens, lexicon),
                      parts.tokens)
    return nm.NameParts(tokens, parts.joiner, suffix, punctuation)


def _take_addresses(address: Addresses, index: np.ndarray) -> Addresses:
    return Addresses(address.street[index], address.city[index], address.zip5[index],
                     address.zip4[index])


def _firm_rows(ctx: Context, firms: Firms, identity: FirmIdentity) -> _Rows:
    """Each present firm's current row."""
    rng = ctx.rng
    idx = np.flatnonzero(firms.present)
    n = len(idx)
    name = _with_the(rng, nm.render(identity.names.take(idx), ctx.lexicon), firms.the_firm[idx])
    no_uei = ~firms.has_uei[idx] | (rng.random(n) < MAIN_UEI_MISSING)
    no_duns = ~firms.has_duns[idx] | (rng.random(n) < MAIN_DUNS_MISSING)
    return _Rows(0, idx, name, _null_where(identity.uei.take(idx), no_uei),
                 _null_where(identity.duns.take(idx), no_duns),
                 _place(firms.state[idx], _take_addresses(firms.address, idx)),
                 np.maximum(firms.last_year[idx], 2015),
                 np.full(n, 2025))


def _legacy_rows(ctx: Context, firms: Firms, identity: FirmIdentity,
                 plan: RecipientPlan) -> _Rows:
    """Old DUNS-only rows: same DUNS, no UEI, an older spelling, the state of that time."""
    idx = np.repeat(np.arange(len(firms)), plan.legacy_rows)
    n = len(idx)
    parts = _legacy_name_parts(ctx.rng, ctx.lexicon, identity.names.take(idx))
    name = _with_the(ctx.rng, nm.render(parts, ctx.lexicon), firms.the_firm[idx])
    old = firms.moved[idx]
    state = np.where(old, firms.old_state[idx], firms.state[idx])
    address = Addresses(*(np.where(old, getattr(firms.old_address, f)[idx],
                                   getattr(firms.address, f)[idx])
                          for f in ("street", "city", "zip5", "zip4")))
    return _Rows(1, idx, name, pa.nulls(n, pa.string()), identity.duns.take(idx),
                 _place(state, address),
                 np.full(n, 2005), np.minimum(np.maximum(firms.last_year[idx], 2008), 2014))


def letter_lookalike_firms(ctx: Context, names: nm.NameParts) -> np.ndarray:
    """Firms that get a letter look-alike: ``lookalike_letter_share`` of them on average,
    those with a short one-word name ``SHORT_NAME_WEIGHT`` times as likely as the others.

    Drawn once names exist (a ``RecipientPlan`` is made before), so fillers make up the rows.
    """
    weight = np.where(nm.is_short_name(names, ctx.lexicon), SHORT_NAME_WEIGHT, 1.0)
    chance = ctx.config.firms.lookalike_letter_share * weight / weight.mean()
    return ctx.rng.random(len(names)) < np.minimum(chance, 1.0)


def _letter_off_cores(rng: np.random.Generator, lexicon: nm.Lexicon,
                      parts: nm.NameParts) -> pa.Array:
    """Each core with its first word one letter off, into a word no drawn name starts with."""
    first = np.asarray(lexicon.words.take(pa.array(parts.tokens[:, 0])).to_numpy(
        zero_copy_only=False), dtype=STRING)
    changed = nm.one_letter_off(rng, first)
    while (known := pc.is_in(strings(changed), value_set=lexicon.words).to_numpy(
            zero_copy_only=False)).any():
        changed[known] = nm.one_letter_off(rng, first[known])
    core = np.asarray(nm.core_names(parts, lexicon).to_numpy(zero_copy_only=False), dtype=STRING)
    return strings(changed + np.strings.slice(core, np.strings.str_len(first), None))


def _lookalike_rows(ctx: Context, firms: Firms, names: nm.NameParts, *, mask: np.ndarray,
                    kind: int, taken_keys: np.ndarray) -> _Rows:
    """Other businesses named like the ``mask`` firms: another legal form, one word changed,
    or one letter of the first word changed.

    ``names`` are the firms' names; ``taken_keys`` the core keys a new name must not repeat (a
    letter look-alike's first word is no drawn word, so its name is new by construction).
    """
    rng, vocabulary, lexicon = ctx.rng, ctx.vocabulary, ctx.lexicon
    idx = np.flatnonzero(mask)
    parts = names.take(idx)
    core = None
    if kind == KINDS.index("lookalike_suffix"):
        parts = nm.with_suffix(parts, nm.other_suffix(rng, vocabulary, parts.suffix))
    elif kind == KINDS.index("lookalike_token"):
        tokens = nm.change_one_token(rng, lexicon, parts.tokens)
        fresh = ~np.isin(nm.core_keys(tokens), taken_keys)
        idx, parts = idx[fresh], nm.NameParts(tokens[fresh], parts.joiner[fresh],
                                               parts.suffix[fresh], parts.punctuation[fresh])
    else:
        core = _letter_off_cores(rng, lexicon, parts)
    n = len(idx)
    parts = nm.NameParts(parts.tokens, parts.joiner, parts.suffix,
                         rng.choice(nm.PUNCTUATION_STYLES, n, p=nm.REGISTERED_PUNCTUATION_P))
    same_state = rng.random(n) < LOOKALIKE_SAME_STATE
    state = np.where(same_state, firms.state[idx], other_states(rng, vocabulary, firms.state[idx]))
    empty = pa.nulls(n, pa.string())
    return _Rows(kind, idx, nm.render(parts, lexicon, core), empty, empty,
                 _place(state, draw_addresses(rng, state)), np.full(n, 2008), np.full(n, 2025))


def _filler_rows(ctx: Context, names: nm.NameParts) -> _Rows:
    """Businesses that never won an SBIR award (identifiers are assigned later)."""
    n = len(names)
    state = ctx.vocabulary.states.draw(ctx.rng, n).astype("<U2")
    empty = pa.nulls(n, pa.string())
    return _Rows(KINDS.index("filler"), np.full(n, -1), nm.render(names, ctx.lexicon), empty,
                 empty, _place(state, draw_addresses(ctx.rng, state)), np.full(n, 2008),
                 np.full(n, 2025))


def _random_dates(rng: np.random.Generator, first_year: np.ndarray,
                  last_year: np.ndarray) -> np.ndarray:
    """A day between 1 Jan of ``first_year`` and 31 Dec of ``last_year``, as ``YYYY-MM-DD``."""
    start = (first_year - 1970) * 365.25
    end = (last_year + 1 - 1970) * 365.25 - 1
    days = (start + rng.random(len(first_year)) * (end - start)).astype("int64")
    return np.datetime_as_string(np.minimum(days, 20453).astype("datetime64[D]"))


# List columns are kept as object columns of arrays: pandas writes ArrowDtype list columns to
# parquet with metadata it cannot read back.
def _lists(counts: np.ndarray, values: pa.Array, *, null_if_empty: bool = False) -> pa.Array:
    """A list per row holding the next ``counts[i]`` of ``values`` (empty, or null, where 0)."""
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    mask = pa.array(counts == 0) if null_if_empty else None
    return pa.ListArray.from_arrays(pa.array(offsets), values, mask=mask)


def _business_types(rng: np.random.Generator, n: int) -> pa.Array:
    """1–5 distinct SAM business-type codes per row."""
    codes = np.array(BUSINESS_TYPE_CODES)
    steps = np.array([s for s in range(1, len(codes)) if np.gcd(s, len(codes)) == 1])
    start = rng.integers(0, len(codes), n)[:, None]
    step = steps[rng.integers(0, len(steps), n)][:, None]
    picked = (start + step * np.arange(5)[None, :]) % len(codes)  # distinct within a row
    counts = rng.integers(1, 6, n)
    keep = np.arange(5)[None, :] < counts[:, None]
    return _lists(counts, strings(codes[picked[keep]]))


def _alternate_names(rng: np.random.Generator, rows: list[_Rows]) -> pa.Array:
    """Other names seen for a recipient (null when none): a firm's current row may list its
    legacy name."""
    main, legacy = rows[0], rows[1]
    first_legacy = pd.Series(np.arange(len(legacy)), index=legacy.firm).groupby(level=0).first()
    which = first_legacy.reindex(main.firm).to_numpy()
    listed = ~np.isnan(which) & (rng.random(len(main)) < ALTERNATE_NAME_SHARE)
    values = legacy.name.take(pa.array(which[listed].astype(np.int64)))
    counts = np.concatenate([listed.astype(np.int64)]
                            + [np.zeros(len(r), dtype=np.int64) for r in rows[1:]])
    return _lists(counts, values, null_if_empty=True)


def _assign_identifiers(rng: np.random.Generator, rows: list[_Rows], pool_uei: pa.Array,
                        pool_duns: pa.Array) -> tuple[pa.Array, pa.Array]:
    """UEI/DUNS columns; rows without a firm identifier get fresh ones from the pools."""
    uei = pa.concat_arrays([r.uei for r in rows])
    duns = pa.concat_arrays([r.duns for r in rows])
    own = np.concatenate([np.full(len(r), r.kind <= 1) for r in rows])
    n = len(own)
    give_uei = ~own & (rng.random(n) < FILLER_HAS_UEI)
    give_duns = ~own & ((rng.random(n) < FILLER_HAS_DUNS) | ~give_uei)
    uei = pc.if_else(pa.array(give_uei), pool_uei.slice(0, n), uei)
    duns = pc.if_else(pa.array(give_duns), pool_duns.slice(0, n), duns)
    return uei, duns


def build_recipients(ctx: Context, firms: Firms, plan: RecipientPlan, identity: FirmIdentity,
                     *, fillers: nm.NameParts, pools: tuple[pa.Array, pa.Array, pa.Array],
                     ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """The recipient table, each firm's acceptable recipient hashes (``firm, recipient_hash``),
    and, per look-alike ``variation`` label, which firms have such a look-alike.

    ``fillers`` are names for non-SBIR businesses (the first ones needed are used); ``pools``
    are ``(uei, duns, recipient_hash)`` values distinct from the firms', at least one per row.
    """
    rng, config = ctx.rng, ctx.config
    pool_uei, pool_duns, hashes = pools
    taken = np.concatenate([nm.core_keys(identity.names.tokens), nm.core_keys(fillers.tokens)])
    rows = [
        _firm_rows(ctx, firms, identity),
        _legacy_rows(ctx, firms, identity, plan),
        _lookalike_rows(ctx, firms, identity.names, mask=plan.suffix_lookalike,
                        kind=KINDS.index("lookalike_suffix"), taken_keys=taken),
        _lookalike_rows(ctx, firms, identity.names, mask=plan.token_lookalike,
                        kind=KINDS.index("lookalike_token"), taken_keys=taken),
        _lookalike_rows(ctx, firms, identity.names,
                        mask=letter_lookalike_firms(ctx, identity.names),
                        kind=KINDS.index("lookalike_letter"), taken_keys=taken),
    ]
    n_fillers = max(0, config.n_recipients - sum(len(r) for r in rows))
    rows.append(_filler_rows(ctx, fillers.take(np.arange(min(len(fillers), n_fillers)))))
    uei, duns = _assign_identifiers(rng, rows, pool_uei, pool_duns)
    n = len(uei)
    order = rng.permutation(n)  # rows of all kinds mixed, as in the real table
    arrow_order = pa.array(order)

    def column(parts: list[pa.Array]) -> pa.Array:
        return pa.concat_arrays(parts).take(arrow_order)

    frame = pd.DataFrame({
        "kind": np.concatenate([np.full(len(r), r.kind) for r in rows])[order],
        "firm": np.concatenate([r.firm for r in rows])[order],
        "recipient_hash": hashes.slice(0, n),
        "legal_business_name": column([r.name for r in rows]),
        "duns": duns.take(arrow_order),
        "uei": uei.take(arrow_order),
        "state": column([r.place.state for r in rows]),
        "city": column([r.place.city for r in rows]),
        "address_line_1": column([r.place.street for r in rows]),
        "zip5": column([r.place.zip5 for r in rows]),
        "zip4": column([r.place.zip4 for r in rows]),
        "update_date": _random_dates(rng, np.concatenate([r.first_year for r in rows]),
                                     np.concatenate([r.last_year for r in rows]))[order],
        "alternate_names": _alternate_names(rng, rows).take(arrow_order).to_pandas(),
        "id": np.arange(1, n + 1, dtype=np.int64),
    })
    frame = _add_details(rng, frame, config.firms.parent_share)
    truth = frame.loc[frame["kind"] <= 1, ["firm", "recipient_hash"]].reset_index(drop=True)
    lookalikes = {label: np.isin(np.arange(len(firms)), r.firm)
                  for label, r in zip(LOOKALIKE_LABELS, rows[2:5], strict=True)}
    return frame[list(RECIPIENT_COLUMNS)], truth, lookalikes


def _add_details(rng: np.random.Generator, frame: pd.DataFrame,
                 parent_share: float) -> pd.DataFrame:
    """Columns a matcher rarely needs but real rows have: parents, codes, sources, districts."""
    n = len(frame)
    parent = rng.integers(0, n, n)
    has_parent = (rng.random(n) < parent_share) & (parent != np.arange(n))
    parent_of = frame[["uei", "duns", "legal_business_name"]].iloc[parent].reset_index(drop=True)
    frame["parent_uei"] = parent_of["uei"].where(has_parent)
    frame["parent_duns"] = parent_of["duns"].where(has_parent)
    frame["parent_legal_business_name"] = parent_of["legal_business_name"].where(has_parent)
    suite = rng.integers(100, 999, n).astype(str)
    frame["address_line_2"] = pd.Series(np.char.add("STE ", suite)).where(rng.random(n) < 0.2)
    district = np.char.zfill(rng.integers(1, 14, n).astype(str), 2)
    frame["congressional_district"] = pd.Series(district).where(rng.random(n) < 0.9)
    frame["country_code"] = "USA"
    frame["zip4"] = frame["zip4"].where(rng.random(n) < 0.7)
    frame["business_types_codes"] = _business_types(rng, n).to_pandas()
    source = np.array(RECIPIENT_SOURCES)[rng.integers(0, len(RECIPIENT_SOURCES), n)]
    frame["source"] = np.where(frame["kind"] == 0, "sam", np.where(frame["kind"] == 1, "fpds",
                                                                   source))
    return frame
