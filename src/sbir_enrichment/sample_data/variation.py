"""The ``variation`` labels of the truth: which kinds of variation each award carries.

Labels are lower-case words, joined with ``"; "`` in the order of ``LABELS`` (for example
``case; suffix dropped; moved; uei shown``). An award whose name shows none of the
``NAME_LABELS`` is ``clean``. The accuracy report gives recall per label.
"""

from __future__ import annotations

import numpy as np

from sbir_enrichment.sample_data.vocabulary import STRING

NAME_LABELS: tuple[str, ...] = (
    "typo", "suffix dropped", "suffix respelt", "legal form swapped", "abbreviation",
    "ampersand", "leading the", "case", "punctuation", "extra words", "acronym",
)
"""Name noise: how the award's company name differs from the registered name."""
FIRM_LABELS: tuple[str, ...] = (
    "short name", "foreign form", "suffix lookalike", "word lookalike", "letter lookalike",
    "moved",
)
"""What the firm is or has: a one-word name of 4–7 letters, a foreign legal form, a look-alike
business of each kind; ``moved``: the award was filed from the state the firm left."""
IDENTIFIER_LABELS: tuple[str, ...] = ("uei shown", "duns shown", "wrong identifier",
                                      "no identifier")
"""The firm's own UEI / DUNS shown, one identifier wrong, or neither UEI nor DUNS shown."""
LABELS: tuple[str, ...] = ("clean", *NAME_LABELS, *FIRM_LABELS, *IDENTIFIER_LABELS)


def join_labels(flags: dict[str, np.ndarray]) -> np.ndarray:
    """One ``"; "``-joined text per award from a boolean array per label (``clean`` is derived).

    Raises:
        ValueError: a label outside ``LABELS``, or ``clean`` given.
    """
    unknown = set(flags) - set(LABELS[1:])
    if unknown:
        raise ValueError(f"unknown variation labels: {sorted(unknown)}")
    n = len(next(iter(flags.values())))
    noisy = np.zeros(n, dtype=bool)
    for label in NAME_LABELS:
        noisy |= flags.get(label, False)
    flags = {"clean": ~noisy, **flags}
    text = np.full(n, "", dtype=STRING)
    for label in LABELS:
        if label in flags:
            text = np.where(flags[label], text + ("; " + label), text)
    return np.strings.slice(text, 2, None)
