"""Hooks that observe runs: time, memory, reports, alerts. They never change data.

Importing this package (``settings.py`` does, before any pipeline loads pyarrow) routes Arrow's
allocations through malloc when memray profiling is requested by ``SBIR_MEMRAY``, so that memray
sees them.
"""

import os

from sbir_enrichment.hooks.config import memray_requested_by_env

if memray_requested_by_env():
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
