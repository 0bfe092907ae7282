"""A node's span and its load / compute / save split, from hook events at known times."""

from __future__ import annotations

import pandas as pd

from sbir_enrichment.hooks.data_shape import describe, is_lazy
from sbir_enrichment.hooks.node_record import NodeRecord


def _record() -> NodeRecord:
    return NodeRecord(name="n", order=0, start_wall=10.0, start_cpu=1.0, rss_start=0)


def test_span_runs_from_first_to_last_event_and_compute_is_the_rest() -> None:
    record = _record()
    record.begin("load", "a", 10.0)
    record.end("load", "a", 11.0)
    record.touch(11.0, 1.5)
    record.touch(14.0, 4.0)                     # after_node_run
    record.begin("save", "b", 14.0)
    record.end("save", "b", 14.5)
    record.begin("save", "parts", 14.5)
    record.end("save", "parts", 20.0, lazy=True)  # lazy partitions computed inside the save
    record.touch(20.0, 9.0)
    assert record.wall_s == 10.0 and record.cpu_s == 8.0
    assert (record.load_s, record.save_s, record.lazy_save_s) == (1.0, 0.5, 5.5)
    assert record.compute_s == 3.0


def test_repeated_saves_of_a_generator_node_add_up_rows() -> None:
    record = _record()
    for rows in (3, 4):
        record.add_shape("out", "chunks", describe(pd.DataFrame({"x": range(rows)})))
    assert record.outputs["chunks"]["rows"] == 7 and record.outputs["chunks"]["saves"] == 2
    assert record.rows("out") == 7 and record.rows("in") == 0


def test_describe_never_consumes_an_iterator() -> None:
    stream = iter([pd.DataFrame({"x": [1]})])
    assert describe(stream) == {"kind": "iterator"}
    assert is_lazy(stream)
    assert len(list(stream)) == 1


def test_lazy_partitions_are_counted_not_loaded() -> None:
    calls = []
    parts = {"p1": lambda: calls.append(1), "p2": lambda: calls.append(2)}
    assert describe(parts) == {"kind": "lazy_partitions", "partitions": 2}
    assert is_lazy(parts) and not is_lazy({"p1": pd.DataFrame()})
    assert calls == []
