"""Derive the sample generator's vocabulary from real SBIR award lists (run once, output committed).

Command (from the project root):

    /work/venv/bin/python scripts/derive_vocabulary.py \
        --reference ../shared/reference \
        --out src/sbir_enrichment/sample_data/vocabulary.json

Reads ``{nsf,nih}_sbir_awards_2025_classified.csv`` (real firm names, states, award years and
amounts) and ``sbir_awards_columns.json`` (the SBIR.gov export header). Writes token and suffix
frequencies and the letters of one-word names, counted over distinct firm names, plus state, year
and amount distributions counted over awards. The shipped generator reads only the JSON file this
writes.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

AWARD_FILES = ("nsf_sbir_awards_2025_classified.csv", "nih_sbir_awards_2025_classified.csv")

# Spellings of legal forms as they end real names (after punctuation became spaces).
LEGAL_ENDINGS = {
    "INC": "INC", "INCORPORATED": "INCORPORATED", "LLC": "LLC", "L L C": "LLC",
    "CORP": "CORP", "CORPORATION": "CORPORATION", "CORPON": "CORPORATION", "CO": "CO",
    "COMPANY": "COMPANY", "LTD": "LTD", "LIMITED": "LTD", "LP": "LP", "LLP": "LLP",
    "PLLC": "PLLC", "PC": "PC", "PBC": "PBC",
}
STOP_TOKENS = {"THE", "AND", "OF", "A", "AN", "FOR", "DBA"}
US_STATES = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "PR",
]


def _is_core_token(token: str) -> bool:
    """A word worth reusing in generated names: 2–16 characters, starts with a letter, not legal."""
    legal = {part for spelling in LEGAL_ENDINGS for part in spelling.split()}
    return 2 <= len(token) <= 16 and token[0].isalpha() and token not in legal


def _split_names(names: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Upper-cased names → (core token lists, legal suffix as written or empty)."""
    text = names.str.upper().str.replace(r"\bL\.\s?L\.\s?C\.?", " LLC ", regex=True)
    text = text.str.replace(r"[^A-Z0-9 ]+", " ", regex=True).str.split().str.join(" ")
    pattern = "|".join(sorted(LEGAL_ENDINGS, key=len, reverse=True))
    suffix = text.str.extract(rf"\s({pattern})$", expand=False).map(LEGAL_ENDINGS).fillna("")
    core = text.str.replace(rf"(?:\s(?:{pattern}))+$", "", regex=True)
    tokens = core.str.split().map(lambda ts: [t for t in ts if t not in STOP_TOKENS])
    return tokens, suffix


def _frequencies(counter: Counter, min_count: int = 1) -> dict[str, int]:
    return {k: int(v) for k, v in counter.most_common() if v >= min_count}


def derive(reference: Path) -> dict:
    """Build the vocabulary dictionary from the reference files."""
    awards = pd.concat(
        [pd.read_csv(reference / name, dtype=str) for name in AWARD_FILES], ignore_index=True
    )
    names = pd.Series(awards["firm_name"].dropna().str.strip().unique())
    tokens, suffix = _split_names(names)
    good = tokens.map(len) > 0
    tokens, suffix = tokens[good], suffix[good]
    usable = tokens.map(lambda ts: [t for t in ts if _is_core_token(t)])
    lead = Counter(ts[0] for ts in usable if ts)
    tail = Counter(t for ts in usable for t in ts[1:])
    n_tokens = Counter(min(len(ts), 5) for ts in usable if ts)
    one_word_letters = Counter(len(ts[0]) for ts in usable if len(ts) == 1)
    states = awards["firm_state"].where(awards["firm_state"].isin(US_STATES)).dropna()
    years = pd.to_numeric(awards["award_year"], errors="coerce").dropna().astype(int)
    amounts = pd.to_numeric(awards["award_amount"], errors="coerce").dropna()
    columns = json.loads((reference / "sbir_awards_columns.json").read_text())["columns"]
    return {
        "source": "derived by scripts/derive_vocabulary.py from real NSF/NIH SBIR award lists",
        "sbir_awards_columns": columns,
        "lead_tokens": _frequencies(lead),
        "tail_tokens": _frequencies(tail),
        "core_token_counts": {str(k): int(v) for k, v in sorted(n_tokens.items())},
        "one_word_name_letters": {str(k): int(v) for k, v in sorted(one_word_letters.items())},
        "legal_suffixes": _frequencies(Counter(suffix)),
        "states": _frequencies(Counter(states)),
        "award_years": {str(k): int(v) for k, v in years.value_counts().sort_index().items()},
        "award_amount_quantiles": {
            f"{q:.2f}": round(float(amounts.quantile(q)), 2) for q in np.linspace(0, 1, 21)
        },
    }


def main() -> None:
    """Parse arguments, derive, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    vocabulary = derive(args.reference)
    args.out.write_text(json.dumps(vocabulary, indent=1) + "\n")
    print(f"wrote {args.out}: {len(vocabulary['lead_tokens'])} lead tokens, "
          f"{len(vocabulary['tail_tokens'])} tail tokens")


if __name__ == "__main__":
    main()
