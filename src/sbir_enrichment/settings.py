"""Kedro project settings: hooks and configuration loading."""

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "config_patterns": {
        "parameters": ["parameters*", "parameters*/**", "**/parameters*"],
    },
}

# Hooks observe runs (time, memory, reports); they never change data.
HOOKS: tuple = ()
