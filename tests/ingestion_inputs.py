"""Small ingestion inputs for tests: a messy SBIR awards CSV and recipient_lookup frames."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from sbir_enrichment.cluster import DaskParams
from sbir_enrichment.schemas import RAW_AWARD_COLUMNS

RAW_COLUMNS = list(RAW_AWARD_COLUMNS)
SEQUENTIAL = DaskParams(enabled=False)  # the `dask` parameters of a run without a cluster


def award(**fields: str) -> dict[str, str]:
    """A well-formed raw award row (raw header names); ``fields`` use snake_case names."""
    row = dict.fromkeys(RAW_COLUMNS, "")
    row.update({
        "Company": "Acme Widgets, Inc.", "Award Title": "Better widgets", "Agency": "DOD",
        "Branch": "Air Force", "Phase": "Phase I", "Program": "SBIR", "Award Year": "2021",
        "Award Amount": "$149,950.00", "UEI": "ABC123DEF456", "Duns": "123456789",
        "Proposal Award Date": "2021-06-01", "Contract End Date": "2022-03-01",
        "HUBZone Owned": "N", "Woman Owned": "Y", "Number Employees": "12", "State": "VA",
        "Zip": "02139",
    })
    snake_to_raw = {snake: raw for raw, snake in RAW_AWARD_COLUMNS.items()}
    row.update({snake_to_raw[name]: value for name, value in fields.items()})
    return row


# (row, outcome): outcome is "accepted" or the reject_field expected.
MESSY_ROWS: list[tuple[dict[str, str], str]] = [
    (award(), "accepted"),
    (award(company="  Société Générale Tech, Inc. ", award_amount="$1,234,567.89",
           duns="12-345-678", uei=" abc123def456 ", phase="PHASE 2",
           proposal_award_date="09/26/2020", contract_end_date="2021-09-26 00:00:00",
           abstract='Line one\nline "two", with commas', number_employees="1,200",
           state="ma"), "accepted"),
    (award(company=""), "company"),
    (award(company=" N/A "), "company"),
    (award(company="---"), "company"),
    (award(duns="12345678901234"), "duns"),
    (award(duns="12345678A"), "duns"),
    (award(uei="abc-123"), "uei"),
    (award(award_year="20x3"), "award_year"),
    (award(award_year=""), "award_year"),
    (award(phase="Phase IV"), "phase"),
    (award(agency=""), "agency"),
    (award(contract_end_date="31/31/2020", award_amount="-5", number_employees="10-50",
           hubzone_owned="maybe", state="Virginia"), "accepted"),
    (award(duns="12345678.0", uei=""), "accepted"),
    (award(company="", duns="12345678901234"), "company"),  # first failing field wins
]
MALFORMED_LINES = [
    ("Short Co,Title only\n", "csv_record"),  # 2 fields
    (",".join(["Long Co"] + ["x"] * 43) + "\n", "csv_record"),  # 44 fields
]


def messy_awards_csv(path: Path) -> list[str]:
    """Write the messy awards CSV; returns the expected outcome of each data record in order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=RAW_COLUMNS, lineterminator="\n")
    writer.writeheader()
    outcomes = []
    for row, outcome in MESSY_ROWS[:6]:
        writer.writerow(row)
        outcomes.append(outcome)
    buffer.write(MALFORMED_LINES[0][0])
    outcomes.append(MALFORMED_LINES[0][1])
    buffer.write("\n")  # a blank line: not a record
    for row, outcome in MESSY_ROWS[6:]:
        writer.writerow(row)
        outcomes.append(outcome)
    buffer.write(MALFORMED_LINES[1][0])
    outcomes.append(MALFORMED_LINES[1][1])
    writer.writerow(award(company="Last Row LLC"))
    outcomes.append("accepted")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return outcomes


def recipient_lookup(rows: int = 12) -> pd.DataFrame:
    """recipient_lookup-shaped rows: usable ones, and some that must be rejected."""
    frame = pd.DataFrame({
        "id": range(rows),
        "recipient_hash": [f"hash{i:04d}" for i in range(rows)],
        "legal_business_name": [f"Firm {i} Technologies, LLC" for i in range(rows)],
        "duns": [str(10_000_000 + i) for i in range(rows)],  # 8 digits: leading zero lost
        "uei": [f"uei{i:09d}" for i in range(rows)],  # lower case
        "parent_uei": [None] * rows,
        "state": ["va"] * rows,
        "source": ["sam"] * rows,
    }).astype({"recipient_hash": "str", "legal_business_name": "str", "duns": "str",
               "uei": "str", "parent_uei": "str", "state": "str"})
    frame.loc[2, ["legal_business_name", "duns", "uei"]] = [None, None, None]  # nothing to match
    frame.loc[3, ["legal_business_name", "duns", "uei"]] = ["INC", "123", "bad"]  # DUNS usable
    frame.loc[4, ["legal_business_name", "duns", "uei"]] = ["  ", "1234567890123", "short"]
    frame.loc[5, "recipient_hash"] = None
    frame.loc[6, "state"] = "Virginia"
    return frame
