"""Kedro project settings: hooks and configuration loading."""

import warnings

from sbir_enrichment.catalog import ProjectCatalog
from sbir_enrichment.hooks.dask_client import DaskClient
from sbir_enrichment.hooks.observer import RunObserver
from sbir_enrichment.run_lock import RunLock

# Kedro 1.7's config loader calls an omegaconf function that omegaconf 2.4 deprecates: a
# 14-line warning per call that no user of this project can act on.
warnings.filterwarnings("ignore", message=r"register_new_resolver\(\) is deprecated",
                        category=UserWarning)

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "config_patterns": {
        "parameters": ["parameters*", "parameters*/**", "**/parameters*"],
    },
    # An env such as `full` overrides single parameters; the rest keep their base values.
    "merge_strategy": {"parameters": "soft"},
}

# Hooks observe runs (time, memory, reports); they never change data. RunLock lets one run at a
# time use data/ (a second one stops at once, naming the first). DaskClient opens the run's
# Dask client when the `dask` parameters enable one (kedro run --env dask).
HOOKS: tuple = (RunObserver(), RunLock(), DaskClient())

# Kedro's DataCatalog; a credentials entry that the catalog names but no credentials file holds
# is reported by key, file and expected content.
DATA_CATALOG_CLASS = ProjectCatalog
