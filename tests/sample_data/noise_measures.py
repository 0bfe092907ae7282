"""Measure each kind of noise from the generated tables and truth alone (no generator internals)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

from sbir_enrichment.matching.identifiers import normalise_duns, normalise_uei
from sbir_enrichment.matching.names import normalise_name
from sbir_enrichment.sample_data import SampleData
from sbir_enrichment.sample_data.names import ABBREVIATIONS, EXPANSIONS, SUFFIX_CANON, SUFFIXES

_LONG_FORMS = {"INC": "INCORPORATED", "CORP": "CORPORATION", "CO": "COMPANY", "LTD": "LIMITED"}


_CANON = {written.replace(".", ""): canon for written, canon in zip(SUFFIXES, SUFFIX_CANON,
                                                                    strict=True) if written}


def legal_suffix(names: pd.Series) -> pd.Series:
    """The generator's legal suffix ending each name, in canonical form (``INCORPORATED`` → INC).

    A name ending ``, THE`` is read without it; a one-word name has no suffix.
    """
    words = _words(names.str.replace(r",\s*THE$", "", regex=True))
    last = words.map(lambda w: w[-1] if isinstance(w, list) and len(w) > 1 else None)
    return last.map(_CANON).astype("object").where(last.map(_CANON).notna(), None)


def _words(names: pd.Series) -> pd.Series:
    """Upper-case words of each name, punctuation dropped (``L.L.C.`` → ``LLC``)."""
    text = names.str.upper().str.replace(".", "", regex=False)
    return text.str.replace(r"[^A-Z0-9& ]+", " ", regex=True).str.split()


def _last_word(names: pd.Series) -> pd.Series:
    return _words(names).str[-1]


def absent_award_share(sample: SampleData) -> float:
    """Awards with no acceptable recipient."""
    return 1 - sample.truth["source_row"].nunique() / len(sample.awards)


def legacy_firm_share(linked: pd.DataFrame) -> float:
    """Firms (current rows) with more than one acceptable recipient row."""
    firms = linked.drop_duplicates("recipient_hash")
    return float((firms["n_true"] > 1).mean())


def _outsiders(sample: SampleData) -> pd.DataFrame:
    outside = ~sample.recipients["recipient_hash"].isin(sample.truth["recipient_hash"])
    rows = sample.recipients.loc[outside, ["legal_business_name", "state"]]
    return rows.assign(key=normalise_name(rows["legal_business_name"]))


def suffix_lookalikes(sample: SampleData, linked: pd.DataFrame) -> pd.DataFrame:
    """Pairs (firm's current row, outside recipient) with the same normalised name."""
    firms = linked.drop_duplicates("recipient_hash")[["recipient_hash", "legal_business_name",
                                                      "state"]]
    firms = firms.assign(key=normalise_name(firms["legal_business_name"]))
    return firms.merge(_outsiders(sample), on="key", suffixes=("", "_other"))


def _one_word_masks(keys: pd.Series, append: bool) -> pd.DataFrame:
    """Each key with one later word replaced by ``*`` (and, if ``append``, with ``*`` added)."""
    words = keys.str.split()
    out = []
    for k in range(1, 6):
        has = words.str.len() > k
        masked = words[has].map(lambda ws, k=k: " ".join(ws[:k] + ["*"] + ws[k + 1:]))
        out.append(pd.DataFrame({"row": masked.index, "mask": masked.to_numpy()}))
    if append:
        out.append(pd.DataFrame({"row": keys.index, "mask": (keys + " *").to_numpy()}))
    return pd.concat(out, ignore_index=True)


def token_lookalike_firm_share(sample: SampleData, linked: pd.DataFrame) -> float:
    """Firms with an outside recipient whose normalised name differs in one later word.

    Includes chance look-alikes among filler businesses (``ADVANCED OPTICS`` for a firm
    ``ADVANCED SYSTEMS``), so it is at least the deliberate share.
    """
    firms = linked.drop_duplicates("recipient_hash")
    keys = normalise_name(firms["legal_business_name"]).reset_index(drop=True)
    others = _outsiders(sample)["key"].dropna().reset_index(drop=True)
    others = others[~others.isin(set(keys))]
    pairs = _one_word_masks(keys.dropna(), append=True).merge(
        _one_word_masks(others, append=False), on="mask")
    return pairs["row_x"].nunique() / len(firms)


def moved_firm_share(linked: pd.DataFrame) -> float:
    """Firms with an award in another state than their current row's."""
    moved = linked["State"] != linked["state"]
    return float(moved.groupby(linked["recipient_hash"]).any().mean())


def moved_award_share(linked: pd.DataFrame) -> float:
    """Awards in another state than their firm's current row."""
    return float((linked["State"] != linked["state"]).mean())


def duns_shares(awards: pd.DataFrame) -> dict[str, float]:
    """Among written DUNS: lost leading zeros (of those that start with 0), dashed."""
    duns = awards["Duns"].dropna()
    duns = duns[normalise_duns(duns).notna()]
    digits = duns.str.fullmatch(r"[0-9]+")
    normal = normalise_duns(duns)
    starts_zero = normal.str.startswith("0")
    lost = digits & (duns.str.len() < 9)
    return {"lost_zeros": float(lost[starts_zero].mean()),
            "dashes": float(duns.str.contains("-").mean())}


def uei_shares(awards: pd.DataFrame) -> dict[str, float]:
    """Among written UEIs: lower case, padded with spaces."""
    uei = awards["UEI"].dropna()
    return {"lower": float((uei != uei.str.upper()).mean()),
            "padded": float((uei != uei.str.strip()).mean())}


def wrong_identifier_share(linked: pd.DataFrame) -> float:
    """Awards whose UEI or DUNS differs from the one the firm's current row shows."""
    uei, duns = normalise_uei(linked["UEI"]), normalise_duns(linked["Duns"])
    comparable_uei = uei.notna() & linked["uei"].notna()
    comparable_duns = duns.notna() & linked["duns"].notna()
    wrong = (comparable_uei & (uei != linked["uei"])) | (comparable_duns & (duns != linked["duns"]))
    return float(wrong[comparable_uei | comparable_duns].mean())


def typo_share(linked: pd.DataFrame) -> float:
    """Awards whose normalised name is one edit (OSA distance 1) from the firm's."""
    linked = linked[linked["Company"].notna()]
    award = normalise_name(linked["Company"]).fillna("").tolist()
    firm = normalise_name(linked["legal_business_name"]).fillna("").tolist()
    distance = process.cpdist(award, firm, scorer=OSA.distance, workers=2)
    return float((np.asarray(distance) == 1).mean())


def suffix_shares(linked: pd.DataFrame) -> dict[str, float]:
    """Among firms with a suffix: dropped, another legal form, the same form spelt otherwise."""
    linked = linked[linked["Company"].notna()]
    award, firm = legal_suffix(linked["Company"]), legal_suffix(linked["legal_business_name"])
    has = firm.notna()
    award_word = _last_word(linked["Company"]).where(award.notna())
    firm_word = _last_word(linked["legal_business_name"].str.replace(", THE", ""))
    respelt = (award == firm) & (award_word != firm_word)
    return {"drop": float(award[has].isna().mean()),
            "swap": float((award.notna() & (award != firm))[has].mean()),
            "spelling": float(respelt[has & firm.isin(list(_LONG_FORMS))].mean())}


def leading_the_share(linked: pd.DataFrame) -> float:
    """Awards starting with THE whose firm's registered name has no THE."""
    linked = linked[linked["Company"].notna()]
    award_the = linked["Company"].str.upper().str.startswith("THE ")
    firm_the = linked["legal_business_name"].str.contains(r"^THE |, THE$", regex=True)
    return float(award_the[~firm_the].mean())


def case_shares(awards: pd.DataFrame) -> dict[str, float]:
    """Award names in upper, lower, and mixed (title) case."""
    names = awards["Company"].dropna()
    upper, lower = names == names.str.upper(), names == names.str.lower()
    return {"upper": float(upper.mean()), "lower": float(lower.mean()),
            "mixed": float((~upper & ~lower).mean())}


def abbreviation_share(linked: pd.DataFrame) -> float:
    """Among names with an abbreviable word, share written with its counterpart instead."""
    table = {**ABBREVIATIONS, **EXPANSIONS}
    firm_words = _words(linked["legal_business_name"])
    award_words = _words(linked["Company"].fillna(""))
    pairs = pd.DataFrame({"firm": firm_words, "award": award_words.map(set)}).explode("firm")
    pairs = pairs[pairs["firm"].isin(list(table))]
    switched = [t in a and f not in a for f, t, a in
                zip(pairs["firm"], pairs["firm"].map(table), pairs["award"], strict=True)]
    return float(pd.Series(switched, index=pairs.index).groupby(level=0).any().mean())


def ampersand_share(linked: pd.DataFrame) -> float:
    """Among firms with & or AND in their name, awards writing the other one."""
    firm, award = _words(linked["legal_business_name"]), _words(linked["Company"].fillna(""))
    firm_amp, firm_and = firm.map(lambda ws: "&" in ws), firm.map(lambda ws: "AND" in ws)
    award_amp, award_and = award.map(lambda ws: "&" in ws), award.map(lambda ws: "AND" in ws)
    switched = (firm_amp & award_and & ~award_amp) | (firm_and & award_amp & ~award_and)
    return float(switched[firm_amp | firm_and].mean())


def unusable_rows(awards: pd.DataFrame) -> dict[str, int]:
    """Rows with no company, an amount that is not a number, or a DUNS of more than 9 digits."""
    amount = awards["Award Amount"].str.replace(r"[$,]", "", regex=True)
    return {"no_company": int(awards["Company"].isna().sum()),
            "bad_amount": int(pd.to_numeric(amount, errors="coerce").isna().sum()),
            "long_duns": int(awards["Duns"].str.fullmatch(r"[0-9]{10,}").fillna(False).sum())}


def comma_change_share(linked: pd.DataFrame) -> float:
    """Among awards keeping their firm's suffix, a comma before it added or removed.

    Each punctuation change picks one of the three other styles, two of which flip the comma,
    so this is about two thirds of the punctuation share.
    """
    linked = linked[linked["Company"].notna()]
    award, firm = legal_suffix(linked["Company"]), legal_suffix(linked["legal_business_name"])
    kept = firm.notna() & (award == firm)
    firm_names = linked["legal_business_name"].str.replace(", THE", "", regex=False)
    award_comma = linked["Company"].str.contains(r",\s*\S+\.?$", regex=True)
    firm_comma = firm_names.str.contains(r",\s*\S+\.?$", regex=True)
    return float((award_comma != firm_comma)[kept].mean())
