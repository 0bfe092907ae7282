"""The recipient index as files in a directory, opened again by mapping them: no copy, no rebuild.

The recipients are one Arrow IPC file, every other array one ``.npy`` file, and the plain
values ``index.json``. Opening maps the files read-only, so processes on one machine that open
the same directory share its pages (the page cache holds them once), and opening costs
milliseconds however large the index is.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa

from sbir_enrichment.matching.index import RecipientIndex

RECIPIENTS_FILE = "recipients.arrow"
VALUES_FILE = "index.json"


def save_index(index: RecipientIndex, directory: Path) -> None:
    """Write ``index`` (a whole table's) to the files of ``directory`` (an existing one)."""
    arrays, values = index.saved()
    with pa.OSFile(str(directory / RECIPIENTS_FILE), "wb") as sink, \
            pa.ipc.new_file(sink, index.recipients.schema) as writer:
        writer.write_table(index.recipients)
    for name, array in arrays.items():
        np.save(directory / f"{name}.npy", array, allow_pickle=False)
    # Last: a directory with this file is complete.
    (directory / VALUES_FILE).write_text(json.dumps({**values, "arrays": list(arrays)}))


def open_index(directory: Path) -> RecipientIndex:
    """The index ``save_index`` wrote to ``directory``, its files mapped read-only.

    A file removed after it was opened stays readable through the mapping.
    """
    values = json.loads((directory / VALUES_FILE).read_text())
    with pa.memory_map(str(directory / RECIPIENTS_FILE)) as source:
        recipients = pa.ipc.open_file(source).read_all()
    arrays = {name: np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False)
              for name in values.pop("arrays")}
    return RecipientIndex.from_saved(recipients, arrays, values)
