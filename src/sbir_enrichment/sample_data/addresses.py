"""Street addresses, cities and ZIP codes that belong to the state they are drawn for."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sbir_enrichment.sample_data.reference_tables import STATE_PLACES, STREET_NAMES

_STATES = np.array(list(STATE_PLACES))
_ZIP_LOW = np.array([low for low, _, _ in STATE_PLACES.values()])
_ZIP_HIGH = np.array([high for _, high, _ in STATE_PLACES.values()])
_CITY_COUNT = np.array([len(cities) for _, _, cities in STATE_PLACES.values()])
_CITY_OFFSET = np.concatenate([[0], np.cumsum(_CITY_COUNT)[:-1]])
_CITIES = np.array([city for _, _, cities in STATE_PLACES.values() for city in cities])


def _digits(numbers: np.ndarray, width: int) -> np.ndarray:
    """Numbers as zero-padded text of ``width`` digits."""
    return np.char.zfill(numbers.astype(str), width) if len(numbers) else numbers.astype(
        f"<U{width}")


@dataclass(frozen=True)
class Addresses:
    """One address per row: street line, city (title case), 5-digit ZIP and ZIP+4 extension."""

    street: np.ndarray
    city: np.ndarray
    zip5: np.ndarray
    zip4: np.ndarray


def draw_addresses(rng: np.random.Generator, states: np.ndarray) -> Addresses:
    """A plausible address in each given state (two-letter codes of ``STATE_PLACES``)."""
    n = len(states)
    which = np.searchsorted(_STATES, states, sorter=np.argsort(_STATES))
    which = np.argsort(_STATES)[which]
    city = _CITIES[_CITY_OFFSET[which] + (rng.random(n) * _CITY_COUNT[which]).astype(np.int64)]
    zip3 = _ZIP_LOW[which] + (rng.random(n) * (_ZIP_HIGH[which] - _ZIP_LOW[which] + 1)).astype(int)
    zip5 = _digits(zip3 * 100 + rng.integers(0, 100, n), 5)
    zip4 = _digits(rng.integers(1, 10000, n), 4)
    number = rng.integers(1, 20000, n).astype(str)
    street = np.char.add(np.char.add(number, " "), np.array(STREET_NAMES)[
        rng.integers(0, len(STREET_NAMES), n)])
    return Addresses(street=street, city=city, zip5=zip5, zip4=zip4)
