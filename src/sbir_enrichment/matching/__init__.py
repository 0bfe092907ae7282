"""The linkage library: pure, vectorised, no Kedro."""
