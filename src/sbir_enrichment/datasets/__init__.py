"""Custom Kedro datasets: chunked and partitioned I/O the catalog points at."""
