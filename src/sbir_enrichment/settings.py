"""Kedro project settings: hooks and configuration loading."""

from sbir_enrichment.hooks.observer import RunObserver

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "config_patterns": {
        "parameters": ["parameters*", "parameters*/**", "**/parameters*"],
    },
    # An env such as `full` overrides single parameters; the rest keep their base values.
    "merge_strategy": {"parameters": "soft"},
}

# Hooks observe runs (time, memory, reports); they never change data.
HOOKS: tuple = (RunObserver(),)
