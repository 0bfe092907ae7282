"""Memory: what the process holds (``usage``), what it may hold (``budget``), and processing a
chunk within that budget (``sub_batches``)."""
