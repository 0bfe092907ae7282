"""The project's data catalog: Kedro's, with missing credentials explained.

Kedro resolves every ``credentials: <name>`` of the catalog when it builds it; a name that no
credentials file holds fails with its own ``KeyError``, which names neither the file nor what
the entry must contain. ``ProjectCatalog`` checks those names first and says all three.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kedro.framework.context import CatalogCommandsMixin
from kedro.io import DataCatalog
from kedro.io.core import DatasetError, parse_dataset_definition

CREDENTIALS_FILE = "conf/local/credentials.yml"


class MissingCredentialsError(DatasetError):
    """The catalog names a credentials entry that no credentials file holds."""


def _named_credentials(config: Any) -> Iterator[str]:
    """Every name given under a ``credentials`` key of a dataset's config (nested ones too)."""
    if isinstance(config, dict):
        for key, value in config.items():
            if key == "credentials" and isinstance(value, str):
                yield value
            else:
                yield from _named_credentials(value)


def _needed(config: dict[str, Any]) -> str:
    """What a dataset's credentials must hold, as its class states it (``CREDENTIALS``)."""
    try:
        dataset_type, _ = parse_dataset_definition({"type": config["type"]})
    except (DatasetError, KeyError):
        return "the credentials its dataset type takes"
    return getattr(dataset_type, "CREDENTIALS", "the credentials its dataset type takes")


class ProjectCatalog(DataCatalog, CatalogCommandsMixin):
    """Kedro's ``DataCatalog`` (with the ``kedro catalog`` commands), naming missing credentials."""

    @classmethod
    def from_config(cls, catalog: dict[str, dict[str, Any]] | None,
                    credentials: dict[str, dict[str, Any]] | None = None,
                    load_versions: dict[str, str] | None = None,
                    save_version: str | None = None,
                    validation_enabled: bool = True) -> ProjectCatalog:
        """Kedro's ``from_config``, after checking that every named credentials entry exists.

        Raises:
            MissingCredentialsError: Naming the entry, the file it belongs in, the dataset that
                needs it and what it must hold.
        """
        for name, config in (catalog or {}).items():
            for entry in _named_credentials(config):
                if entry not in (credentials or {}):
                    raise MissingCredentialsError(
                        f"{CREDENTIALS_FILE} has no entry '{entry}', which the catalog entry "
                        f"'{name}' ({config.get('type')}) names as its credentials. Add it to "
                        f"that file (git-ignored; never to conf/base): '{entry}' must hold "
                        f"{_needed(config)}.")
        return super().from_config(catalog, credentials, load_versions, save_version,
                                   validation_enabled)
