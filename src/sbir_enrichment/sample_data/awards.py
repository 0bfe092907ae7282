"""SBIR.gov award rows, written as the bulk export writes them: all text, mixed formats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sbir_enrichment.sample_data import identifiers as ids
from sbir_enrichment.sample_data import names as nm
from sbir_enrichment.sample_data.addresses import Addresses
from sbir_enrichment.sample_data.arrow import strings
from sbir_enrichment.sample_data.context import Context, FirmIdentity
from sbir_enrichment.sample_data.firms import Awards, Firms
from sbir_enrichment.sample_data.reference_tables import (
    AGENCIES,
    CONTACT_TITLES,
    CONTRACT_PREFIXES,
    EXTRA_WORDS,
    FIRST_NAMES,
    LAST_NAMES,
    PI_TITLES,
    RESEARCH_INSTITUTIONS,
    TITLE_ADJECTIVES,
    TITLE_NOUNS,
    TITLE_PURPOSES,
    TOPIC_PREFIXES,
)

# Chance that an award shows the firm's UEI / DUNS, by award-year era (when the firm has one).
ID_ERAS = np.array([2009, 2022])  # eras: up to 2008, 2009–2021, 2022 on
UEI_SHOWN = np.array([0.15, 0.35, 0.93])
DUNS_SHOWN = np.array([0.55, 0.88, 0.10])
PHASE_II_SHARE = 0.38
STTR_SHARE = 0.12  # of awards from 1994 on (STTR began then)
UNUSABLE_AMOUNTS = np.array(["TBD", "N/A", "see contract", "pending", "1.2.3"])
EXTRA_WORDS_KEEP_SUFFIX = 0.25  # awards naming a division or country mostly leave the suffix out


def _pick(rng: np.random.Generator, values: tuple[str, ...] | np.ndarray, n: int) -> np.ndarray:
    return np.asarray(values)[rng.integers(0, len(values), n)]


def _blank(values: np.ndarray | pd.Series, rng: np.random.Generator, share: float) -> pd.Series:
    """Values with about ``share`` of them blanked (missing)."""
    series = pd.Series(values, dtype="str")
    return series.mask(rng.random(len(series)) < share)


def company_names(ctx: Context, parts: nm.NameParts,
                  the_firm: np.ndarray) -> tuple[pa.Array, dict[str, np.ndarray]]:
    """Award company names: the registered name rewritten with each kind of name noise.

    Returns the names and, per ``variation`` label of name noise, which names show it.
    """
    rng, lexicon, shares = ctx.rng, ctx.lexicon, ctx.config.names
    n = len(parts)
    tokens = parts.tokens
    abbreviate = nm.can_abbreviate(tokens, lexicon) & (rng.random(n) < shares.abbreviation_share)
    tokens = np.where(abbreviate[:, None], nm.switch_abbreviations(tokens, lexicon), tokens)
    extra = rng.random(n) < shares.extra_words_share
    suffix = _written_suffixes(ctx, parts.suffix, extra)
    punctuation = np.where(rng.random(n) < shares.punctuation_share,
                           (parts.punctuation + rng.integers(1, 4, n)) % 4, parts.punctuation)
    joiner = np.where((parts.joiner > 0) & (rng.random(n) < shares.ampersand_share),
                      3 - parts.joiner, parts.joiner)
    varied = nm.NameParts(tokens, joiner.astype(np.int8), suffix, punctuation.astype(np.int8))
    acronym = (nm.word_count(tokens) >= 3) & (rng.random(n) < shares.acronym_share)
    core = pc.if_else(pa.array(acronym), nm.initials(tokens, lexicon),
                      nm.core_names(varied, lexicon))
    typo = rng.random(n) < shares.typo_share
    if typo.any():
        core_np = np.asarray(core.to_numpy(zero_copy_only=False), dtype=object)
        core_np[typo] = nm.one_typo(rng, core_np[typo]).astype(object)
        core = strings(core_np)
    words = strings(np.asarray(EXTRA_WORDS)[rng.integers(0, len(EXTRA_WORDS), n)])
    core = pc.if_else(pa.array(extra), pc.binary_join_element_wise(core, words, " "), core)
    name = nm.render(varied, lexicon, core)
    added_the = rng.random(n) < shares.leading_the_share
    leading_the = the_firm | added_the
    name = pc.binary_join_element_wise(strings(np.where(leading_the, "THE ", "")), name, "")
    case = rng.random(n)
    title = case < shares.title_case_share
    lower = (case >= shares.title_case_share) & (
        case < shares.title_case_share + shares.lower_case_share)
    titled = pc.replace_substring_regex(pc.utf8_title(name), r"\bLlc\b", "LLC")
    name = pc.if_else(pa.array(title), titled, name)
    name = pc.if_else(pa.array(lower), pc.utf8_lower(name), name)
    return name, _name_variation(parts, varied, flags={
        "typo": typo, "abbreviation": abbreviate & ~acronym,
        "ampersand": (joiner != parts.joiner) & ~acronym, "leading the": added_the & ~the_firm,
        "case": title | lower, "extra words": extra, "acronym": acronym})


def _written_suffixes(ctx: Context, registered: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """Each award's legal suffix code: respelt, swapped or dropped by the suffix shares; a
    foreign form that was kept is written another way at its own share; most awards naming
    extra words (``extra``) leave the suffix out."""
    rng, shares = ctx.rng, ctx.config.names
    n = len(registered)
    roll = rng.random(n)
    spell_to = shares.suffix_spelling_share
    swap_to = spell_to + shares.suffix_swap_share
    drop_to = swap_to + shares.suffix_drop_share
    suffix = np.select(
        [roll < spell_to, roll < swap_to, roll < drop_to],
        [nm.SUFFIX_RESPELLING[registered], nm.other_suffix(rng, ctx.vocabulary, registered), 0],
        registered,
    )
    respell_foreign = (nm.IS_FOREIGN[registered] & (suffix == registered)
                       & (rng.random(n) < shares.foreign_form_respelt_share))
    suffix = np.where(respell_foreign, nm.SUFFIX_RESPELLING[suffix], suffix)
    return np.where(extra & (rng.random(n) >= EXTRA_WORDS_KEEP_SUFFIX), 0, suffix)


def _name_variation(registered: nm.NameParts, written: nm.NameParts,
                    flags: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``flags`` plus what the written legal suffix shows against the registered one."""
    form, before = nm.SUFFIX_CANON_CODE[written.suffix], nm.SUFFIX_CANON_CODE[registered.suffix]
    has = written.suffix > 0
    marks = nm.suffix_marks(registered.punctuation, written.suffix)
    written_marks = nm.suffix_marks(written.punctuation, written.suffix)
    return {
        **flags,
        "suffix dropped": (registered.suffix > 0) & ~has,
        "suffix respelt": has & (form == before) & (written.suffix != registered.suffix),
        "legal form swapped": has & (form != before),
        "punctuation": (marks[0] != written_marks[0]) | (marks[1] != written_marks[1]),
    }


def _era(year: np.ndarray) -> np.ndarray:
    return np.searchsorted(ID_ERAS, year, side="right")


def _wrong_identifiers(ctx: Context, uei: pa.Array, duns: pa.Array,
                       recipients: pd.DataFrame) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Replace one identifier of ``wrong_id_share`` of awards: another business's, or mistyped.

    Returns the UEI and DUNS columns and which awards got a wrong one.
    """
    rng, config = ctx.rng, ctx.config
    n = len(uei)
    has_uei = pc.is_valid(uei).to_numpy(zero_copy_only=False)
    has_duns = pc.is_valid(duns).to_numpy(zero_copy_only=False)
    wrong = (has_uei | has_duns) & (rng.random(n) < config.identifiers.wrong_id_share)
    stale = rng.random(n) < 0.5  # an identifier of another business, else a mistyped one
    other_uei = recipients["uei"].dropna().to_numpy()
    other_duns = recipients["duns"].dropna().to_numpy()
    fix_uei = wrong & has_uei
    fix_duns = wrong & ~has_uei
    stale_uei = strings(_pick(rng, other_uei, n).astype(object))
    stale_duns = strings(_pick(rng, other_duns, n).astype(object))
    typo_uei = ids.mistyped(uei.fill_null("AAAAAAAAAAAA"), rng, "".join(ids.UEI_CHARS.tolist()))
    typo_duns = ids.mistyped(duns.fill_null("000000000"), rng, "0123456789")
    new_uei = pc.if_else(pa.array(stale), stale_uei, typo_uei)
    new_duns = pc.if_else(pa.array(stale), stale_duns, typo_duns)
    return (pc.if_else(pa.array(fix_uei), new_uei, uei),
            pc.if_else(pa.array(fix_duns), new_duns, duns), wrong)


def award_identifiers(ctx: Context, awards: Awards, firms: Firms, identity: FirmIdentity,
                      recipients: pd.DataFrame
                      ) -> tuple[pa.Array, pa.Array, dict[str, np.ndarray]]:
    """The UEI and Duns columns: shown by era, sometimes wrong, formatted as exports do.

    Also returns, per ``variation`` label of identifiers, which awards show it.
    """
    rng = ctx.rng
    n = len(awards.firm)
    era = _era(awards.year)
    show_uei = firms.has_uei[awards.firm] & (rng.random(n) < UEI_SHOWN[era])
    show_duns = firms.has_duns[awards.firm] & (rng.random(n) < DUNS_SHOWN[era])
    firm_index = pa.array(awards.firm)
    missing = pa.nulls(n, pa.string())
    uei = pc.if_else(pa.array(show_uei), identity.uei.take(firm_index), missing)
    duns = pc.if_else(pa.array(show_duns), identity.duns.take(firm_index), missing)
    uei, duns, wrong = _wrong_identifiers(ctx, uei, duns, recipients)
    variation = {"uei shown": show_uei & ~wrong, "duns shown": show_duns & ~(wrong & ~show_uei),
                 "wrong identifier": wrong, "no identifier": ~show_uei & ~show_duns}
    shares = ctx.config.identifiers
    starts_zero = pc.fill_null(pc.starts_with(duns, "0"), False).to_numpy(zero_copy_only=False)
    lose = starts_zero & (rng.random(n) < shares.duns_lost_zeros_share)
    dash = ~lose & (rng.random(n) < shares.duns_dashes_share)
    duns = pc.if_else(pa.array(lose), ids.strip_leading_zeros(duns), duns)
    duns = pc.if_else(pa.array(dash), ids.dashed_duns(duns), duns)
    uei = pc.if_else(pa.array(rng.random(n) < shares.uei_lower_share), pc.utf8_lower(uei), uei)
    uei = pc.if_else(pa.array(rng.random(n) < shares.uei_padded_share), ids.padded(uei, rng), uei)
    return uei, duns, variation


def _dates(rng: np.random.Generator, days: np.ndarray, blank_share: float) -> pd.Series:
    """Dates (days since 1970) written ISO, ``MM/DD/YYYY`` or ISO with a time; some blank."""
    iso = np.datetime_as_string(days.astype("datetime64[D]"))
    month_day = np.char.replace(np.char.partition(iso, "-")[:, 2], "-", "/")
    us = np.char.add(np.char.add(month_day, "/"), np.char.partition(iso, "-")[:, 0])
    style = rng.random(len(days))
    text = np.where(style < 0.7, iso, np.where(style < 0.9, us, np.char.add(iso, " 00:00:00")))
    return _blank(text, rng, blank_share)


def _amounts(rng: np.random.Generator, year: np.ndarray, phase_two: np.ndarray) -> pd.Series:
    """Award amounts growing with the year, Phase II larger, in four text formats."""
    growth = np.interp(year, [1983, 2000, 2025], [1.0, 1.8, 3.6])
    median = np.where(phase_two, 330_000.0, 50_000.0) * growth
    cents = np.round(median * rng.lognormal(0.0, 0.35, len(year)) * 100).astype(np.int64)
    whole = cents // 100
    plain = whole.astype(str)
    decimals = np.char.add(np.char.add(plain, "."), np.char.zfill((cents % 100).astype(str), 2))
    grouped = pd.Series(whole).map("{:,}".format).to_numpy(dtype=str)
    style = rng.random(len(year))
    text = np.select([style < 0.45, style < 0.70, style < 0.95],
                     [np.char.add(np.char.add("$", grouped), np.char.add(".",
                      np.char.zfill((cents % 100).astype(str), 2))), plain, decimals], grouped)
    return pd.Series(text, dtype="str")


def _agencies(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    names = np.array(list(AGENCIES))
    agency = names[rng.choice(len(names), n, p=[share for share, _ in AGENCIES.values()])]
    branch = np.full(n, "", dtype=object)
    for name, (_, branches) in AGENCIES.items():
        rows = np.flatnonzero(agency == name)
        labels = np.array(list(branches))
        branch[rows] = labels[rng.choice(len(labels), len(rows), p=list(branches.values()))]
    return agency, branch


def _contracts(rng: np.random.Generator, agency: np.ndarray, branch: np.ndarray,
               year: np.ndarray, phase_two: np.ndarray) -> np.ndarray:
    """Contract / grant numbers shaped like each agency's."""
    n = len(agency)
    yy = np.char.zfill((year % 100).astype(str), 2)
    serial = np.char.zfill(rng.integers(0, 10_000, n).astype(str), 4)
    key = np.where(agency == "DOD", branch.astype(str), agency)
    prefix = pd.Series(key).map(CONTRACT_PREFIXES).fillna("").to_numpy(dtype=str)
    generic = np.char.add(np.char.add(np.char.add(prefix, yy), "C"), serial)
    nih = np.char.add(np.char.add(np.where(phase_two, "R44", "R43"), _pick(
        rng, ("CA", "GM", "HL", "AI", "EB", "MH", "NS", "DK"), n)),
        np.char.zfill(rng.integers(0, 1_000_000, n).astype(str), 6))
    nsf = rng.integers(1_000_000, 2_600_000, n).astype(str)
    return np.select([agency == "HHS", agency == "NSF"], [nih, nsf], generic)


def _topic_codes(rng: np.random.Generator, agency: np.ndarray, branch: np.ndarray,
                 year: np.ndarray) -> np.ndarray:
    """Topic codes such as ``AF191-012``, ``N20A-T007`` or ``NIH-123``."""
    n = len(agency)
    key = np.where(agency == "DOD", branch.astype(str), agency)
    prefix = pd.Series(key).map(TOPIC_PREFIXES).fillna(pd.Series(agency)).to_numpy(dtype=str)
    cycle = np.char.add(np.char.zfill((year % 100).astype(str), 2), _pick(rng, ("1", "2", "3"), n))
    number = np.char.zfill(rng.integers(1, 300, n).astype(str), 3)
    return np.char.add(np.char.add(np.char.add(prefix, cycle), "-"), number)


def _people(rng: np.random.Generator, n: int, domain: np.ndarray) -> dict[str, np.ndarray]:
    first, last = _pick(rng, FIRST_NAMES, n), _pick(rng, LAST_NAMES, n)
    name = np.char.add(np.char.add(first, " "), last)
    email = np.char.lower(np.char.add(np.char.add(np.char.add(first, "."), last), "@"))
    email = np.char.add(np.char.replace(email, "'", ""), domain)
    area = rng.integers(201, 990, n).astype(str)
    number = np.char.zfill(rng.integers(0, 10_000, n).astype(str), 4)
    phone = np.char.add(np.char.add(np.char.add(np.char.add("(", area), ") 555-"), ""), number)
    return {"name": name, "email": email, "phone": phone}


def build_awards(ctx: Context, awards: Awards, firms: Firms, identity: FirmIdentity,
                 recipients: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The awards file: the 42 SBIR.gov columns as text, one row per award, in file order.

    ``recipients`` supplies the identifiers of other businesses that stale award ids point at.
    Also returns, per ``variation`` label, which awards carry that kind of variation.
    """
    rng = ctx.rng
    n = len(awards.firm)
    firm = awards.firm
    company, name_variation = company_names(ctx, identity.names.take(firm),
                                            firms.the_firm[firm])
    uei, duns, id_variation = award_identifiers(ctx, awards, firms, identity, recipients)
    before_move = firms.moved[firm] & (awards.year < firms.move_year[firm])
    state = np.where(before_move, firms.old_state[firm], firms.state[firm])
    address = Addresses(*(np.where(before_move, getattr(firms.old_address, f)[firm],
                                   getattr(firms.address, f)[firm])
                          for f in ("street", "city", "zip5", "zip4")))
    phase_two = rng.random(n) < PHASE_II_SHARE
    sttr = (awards.year >= 1994) & (rng.random(n) < STTR_SHARE)
    agency, branch = _agencies(rng, n)
    award_day = (awards.year - 1970) * 365.25 + rng.integers(0, 365, n)
    award_day = np.minimum(award_day.astype(np.int64), 20453)
    end_day = award_day + np.where(phase_two, rng.integers(540, 900, n), rng.integers(180, 400, n))
    core = nm.core_names(identity.names, ctx.lexicon)
    site = pc.utf8_lower(pc.replace_substring_regex(core, r"[^A-Z0-9]", ""))
    domain = np.char.add(np.asarray(site.to_numpy(zero_copy_only=False), dtype=str), ".com")[firm]
    contact, pi = _people(rng, n, domain), _people(rng, n, domain)
    employees = np.maximum(1, np.round(rng.lognormal(2.5, 1.1, len(firms))))[firm]
    title = np.char.add(np.char.add(np.char.add(np.char.add(
        _pick(rng, TITLE_ADJECTIVES, n), " "), _pick(rng, TITLE_NOUNS, n)), " "),
        _pick(rng, TITLE_PURPOSES, n))
    zip_text = np.where(rng.random(n) < 0.15, np.char.add(np.char.add(address.zip5, "-"),
                                                          address.zip4), address.zip5)
    zip_text = np.where(rng.random(n) < 0.3, np.char.lstrip(zip_text, "0"), zip_text)
    flags = {col: np.where(rng.random(len(firms)) < share, "Y", "N")[firm]
             for col, share in (("HUBZone Owned", 0.04), ("Woman Owned", 0.12),
                                ("Socially and Economically Disadvantaged", 0.08))}
    solicitation_year = awards.year - (rng.random(n) < 0.6)
    columns = {
        "Company": pd.Series(company, dtype="str"),
        "Award Title": pd.Series(title, dtype="str"),
        "Agency": pd.Series(agency, dtype="str"),
        "Branch": pd.Series(branch, dtype="str").replace("", None),
        "Phase": pd.Series(np.where(phase_two, "Phase II", "Phase I"), dtype="str"),
        "Program": pd.Series(np.where(sttr, "STTR", "SBIR"), dtype="str"),
        "Agency Tracking Number": _blank(np.char.add(_pick(rng, tuple("ABFNSHT"), n),
                                         rng.integers(10**6, 10**7, n).astype(str)), rng, 0.05),
        "Contract": pd.Series(_contracts(rng, agency, branch, awards.year, phase_two), dtype="str"),
        "Proposal Award Date": _dates(rng, award_day, 0.08),
        "Contract End Date": _dates(rng, end_day, 0.15),
        "Solicitation Number": _blank(np.char.add(np.char.add(np.char.add(
            agency, " "), solicitation_year.astype(str)), np.where(
            rng.random(n) < 0.5, ".1", ".2")), rng, 0.35),
        "Solicitation Year": _blank(solicitation_year.astype(str), rng, 0.35),
        "Solicitation Close Date": _dates(rng, award_day - rng.integers(90, 300, n), 0.8),
        "Proposal Receipt Date": _dates(rng, award_day - rng.integers(60, 280, n), 0.8),
        "Date of Notification": _dates(rng, award_day - rng.integers(5, 60, n), 0.8),
        "Topic Code": _blank(_topic_codes(rng, agency, branch, solicitation_year), rng, 0.15),
        "Award Year": pd.Series(awards.year.astype(str), dtype="str"),
        "Award Amount": _amounts(rng, awards.year, phase_two),
        "UEI": pd.Series(uei, dtype="str"),
        "Duns": pd.Series(duns, dtype="str"),
        **{col: _blank(values, rng, 0.05) for col, values in flags.items()},
        "Number Employees": _blank(np.maximum(1, employees * rng.uniform(0.8, 1.2, n)).astype(
            np.int64).astype(str), rng, 0.2),
        "Company Website": _blank(np.char.add("www.", domain), rng, 0.4),
        "Address1": pd.Series(np.char.title(address.street), dtype="str"),
        "Address2": _blank(np.char.add("Suite ", rng.integers(100, 999, n).astype(str)), rng, 0.8),
        "City": pd.Series(address.city, dtype="str"),
        "State": pd.Series(state, dtype="str"),
        "Zip": pd.Series(zip_text, dtype="str"),
        "Abstract": pd.Series(np.char.add(np.char.add(
            np.where(phase_two, "This Phase II project will develop ",
                     "This Phase I project will study the feasibility of "),
            np.char.lower(title)), "."), dtype="str"),
        "Contact Name": pd.Series(contact["name"], dtype="str"),
        "Contact Title": _blank(_pick(rng, CONTACT_TITLES, n), rng, 0.3),
        "Contact Phone": _blank(contact["phone"], rng, 0.2),
        "Contact Email": _blank(contact["email"], rng, 0.2),
        "PI Name": pd.Series(pi["name"], dtype="str"),
        "PI Title": _blank(_pick(rng, PI_TITLES, n), rng, 0.3),
        "PI Phone": _blank(pi["phone"], rng, 0.2),
        "PI Email": _blank(pi["email"], rng, 0.2),
        "RI Name": pd.Series(_pick(rng, RESEARCH_INSTITUTIONS, n), dtype="str").where(sttr),
        "RI POC Name": pd.Series(_people(rng, n, domain)["name"], dtype="str").where(sttr),
        "RI POC Phone": pd.Series(_people(rng, n, domain)["phone"], dtype="str").where(sttr),
    }
    frame = pd.DataFrame(columns)[list(ctx.vocabulary.columns)]
    variation = {**name_variation, "moved": before_move, **id_variation}
    return _make_unusable(rng, frame, ctx.config.unusable_share), variation


def _make_unusable(rng: np.random.Generator, frame: pd.DataFrame, share: float) -> pd.DataFrame:
    """Spoil ``share`` of rows: blank company, unparseable amount, or a 14-digit DUNS."""
    n = len(frame)
    rows = rng.choice(n, size=round(share * n), replace=False)
    blank, amount, duns = (rows[np.arange(len(rows)) % 3 == k] for k in range(3))
    frame.loc[blank, "Company"] = None
    frame.loc[amount, "Award Amount"] = _pick(rng, UNUSABLE_AMOUNTS, len(amount))
    frame.loc[duns, "Duns"] = rng.integers(10**13, 10**14, len(duns)).astype(str)
    return frame
