"""Measure each kind of noise from the generated tables and truth alone (no generator internals)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from sbir_enrichment.matching.identifiers import normalise_duns, normalise_uei
from sbir_enrichment.matching.names import normalise_name
from sbir_enrichment.sample_data import SampleData
from sbir_enrichment.sample_data.names import (
    ABBREVIATIONS,
    EXPANSIONS,
    FOREIGN_SUFFIXES,
    SUFFIX_CANON,
    SUFFIXES,
)
from sbir_enrichment.sample_data.reference_tables import EXTRA_WORDS

_LONG_FORMS = {"INC": "INCORPORATED", "CORP": "CORPORATION", "CO": "COMPANY", "LTD": "LIMITED"}


def _plain(text: str) -> str:
    """A suffix as ``_words`` leaves it: no periods, words separated by one space."""
    return " ".join(text.replace(".", "").split())


_CANON = {_plain(written): _plain(canon) for written, canon in zip(SUFFIXES, SUFFIX_CANON,
                                                                     strict=True) if written}
_FOREIGN = {_plain(form) for form in FOREIGN_SUFFIXES}
_SUFFIX_AT_END = "|".join(sorted(map(re.escape, _CANON), key=len, reverse=True))
_FOLD = {**ABBREVIATIONS, **{short: ABBREVIATIONS.get(long, short)
                             for short, long in EXPANSIONS.items()}}


def _words(names: pd.Series) -> pd.Series:
    """Upper-case words of each name, punctuation dropped (``L.L.C.`` → ``LLC``)."""
    text = names.str.upper().str.replace(".", "", regex=False)
    return text.str.replace(r"[^A-Z0-9& ]+", " ", regex=True).str.split()


def _split_suffix(names: pd.Series) -> pd.DataFrame:
    """``core`` (the words before the legal suffix) and ``suffix`` (as written, or None).

    A name ending ``, THE`` is read without it; a one-word name has no suffix.
    """
    text = _words(names.str.replace(r",\s*THE$", "", regex=True)).str.join(" ")
    parts = text.str.extract(rf"^(?P<core>\S.*?)(?:\s(?P<suffix>{_SUFFIX_AT_END}))?$")
    return parts.astype("object").where(parts.notna(), None)


def legal_suffix(names: pd.Series) -> pd.Series:
    """The generator's legal suffix ending each name, in canonical form (``INCORPORATED`` → INC,
    ``PTY`` → ``PTY LTD``)."""
    return _split_suffix(names)["suffix"].map(_CANON, na_action="ignore")


def core_words(names: pd.Series) -> pd.Series:
    """The words of each name before its legal suffix, THE, & and AND dropped, abbreviations
    folded to one form (``TECHNOLOGIES`` and ``TECH`` → ``TECH``), joined by spaces."""
    words = _split_suffix(names)["core"].str.split()
    return words.map(lambda ws: " ".join(_FOLD.get(w, w) for w in ws
                                         if w not in ("THE", "&", "AND")),
                     na_action="ignore")


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
    """Among firms with a suffix: dropped, another legal form, the same form spelt otherwise.

    Awards naming a division or country (``extra_words_awards``) mostly leave the suffix out
    by design, so they are not counted.
    """
    linked = linked[linked["Company"].notna() & ~extra_words_awards(linked)]
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
    """Among names with an abbreviable word, share written with its counterpart instead.

    Awards written as initials (``acronym_awards``) show no word at all and are not counted.
    """
    table = {**ABBREVIATIONS, **EXPANSIONS}
    linked = linked[~acronym_awards(linked)["acronym"]]
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


_PHRASES = {" ".join(_FOLD.get(w, w) for w in phrase.split()) for phrase in EXTRA_WORDS}


def extra_words_awards(linked: pd.DataFrame) -> pd.Series:
    """Awards whose core is their firm's core followed by one of the extra phrases (a division,
    unit or country: ``EXTRA_WORDS``), whatever the suffix."""
    award = core_words(linked["Company"].fillna(""))
    firm = core_words(linked["legal_business_name"])
    extra = [isinstance(a, str) and isinstance(f, str) and a.startswith(f + " ")
             and a[len(f) + 1:] in _PHRASES for a, f in zip(award, firm, strict=True)]
    return pd.Series(extra, index=linked.index)


def acronym_awards(linked: pd.DataFrame) -> pd.DataFrame:
    """``eligible`` (the firm's core has 3+ words) and ``acronym`` (the award's core is their
    initials: ``ADVANCED MATERIALS RESEARCH INC`` → ``AMR INC``) per award."""
    firm = core_words(linked["legal_business_name"]).str.split()
    award = core_words(linked["Company"].fillna(""))
    initials = firm.map(lambda ws: "".join(w[0] for w in ws))
    return pd.DataFrame({"eligible": firm.str.len() >= 3,
                         "acronym": (award == initials).fillna(False)}, index=linked.index)


_RAW_SUFFIX = "|".join(sorted(map(re.escape, filter(None, SUFFIXES)), key=len, reverse=True))


def _written_suffix(names: pd.Series) -> pd.Series:
    """The legal suffix ending each name exactly as written, periods kept (upper case)."""
    upper = names.str.upper().str.replace(r",\s*THE$", "", regex=True)
    return upper.str.extract(rf"\S\s({_RAW_SUFFIX})$", expand=False)


def foreign_form_shares(linked: pd.DataFrame) -> dict[str, float]:
    """Firms registered with a foreign legal form, and among the awards of those whose form has
    another spelling, the share written that other way (``S.A.`` → ``SA``, ``PTY LTD`` →
    ``PTY``)."""
    firms = linked.drop_duplicates("recipient_hash")
    registered = _written_suffix(firms["legal_business_name"])
    firm_share = float(registered.isin(FOREIGN_SUFFIXES).mean())
    form = _written_suffix(linked["legal_business_name"])
    written = _written_suffix(linked["Company"].fillna(""))
    respellable = form.isin(FOREIGN_SUFFIXES) & (form != "OY")
    canon = dict(zip(SUFFIXES, SUFFIX_CANON, strict=True))
    otherwise = (written.map(canon) == form.map(canon)) & (written != form)
    return {"firms": firm_share, "written_otherwise": float(otherwise[respellable].mean())}


def _without_one_letter(words: pd.Series) -> pd.DataFrame:
    """Each word, and the word with each one of its letters left out, as ``key`` rows."""
    keys = [pd.DataFrame({"row": words.index, "key": words.to_numpy()})]
    for k in range(int(words.str.len().max())):
        longer = words[words.str.len() > k]
        keys.append(pd.DataFrame({"row": longer.index,
                                  "key": (longer.str[:k] + longer.str[k + 1:]).to_numpy()}))
    return pd.concat(keys, ignore_index=True)


def letter_lookalikes(sample: SampleData, linked: pd.DataFrame) -> pd.DataFrame:
    """Pairs (firm's current row, outside recipient) whose normalised names differ by one
    letter (added, dropped or replaced) in the first word only."""
    firms = linked.drop_duplicates("recipient_hash")[["recipient_hash", "legal_business_name",
                                                      "state"]].reset_index(drop=True)
    others = _outsiders(sample).dropna(subset=["key"]).reset_index(drop=True)
    sides = []
    for frame in (firms.assign(key=normalise_name(firms["legal_business_name"])), others):
        words = frame["key"].str.split(" ", n=1)
        side = _without_one_letter(words.str[0])
        side["rest"] = words.str[1].fillna("").to_numpy()[side["row"]]
        side["first"] = words.str[0].to_numpy()[side["row"]]
        sides.append(side)
    pairs = sides[0].merge(sides[1], on=["key", "rest"], suffixes=("", "_other"))
    pairs = pairs.drop_duplicates(["row", "row_other"])
    distance = process.cpdist(pairs["first"].tolist(), pairs["first_other"].tolist(),
                              scorer=Levenshtein.distance, workers=2)
    pairs = pairs[np.asarray(distance) == 1]
    other = others.iloc[pairs["row_other"]].reset_index(drop=True)
    return firms.iloc[pairs["row"]].reset_index(drop=True).assign(
        legal_business_name_other=other["legal_business_name"], state_other=other["state"])


def is_short_name(names: pd.Series) -> pd.Series:
    """Names whose core (without suffix and THE) is one word of 4–7 letters."""
    words = _split_suffix(names)["core"].str.split().map(
        lambda ws: [w for w in ws if w != "THE"], na_action="ignore")
    return (words.str.len() == 1) & words.str[0].str.len().between(4, 7)
