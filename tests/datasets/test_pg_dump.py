"""PgDumpTableDataset against real ``pg_dump -Fd`` archives of a real PostgreSQL table."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from kedro.io.core import DatasetError
from postgres import as_records

from sbir_enrichment.datasets.pg_dump import PgDumpTableDataset
from sbir_enrichment.sample_data.recipients import RECIPIENT_COLUMNS

pytestmark = pytest.mark.postgres


def _load(path: Path, **kwargs) -> pd.DataFrame:
    chunks = list(PgDumpTableDataset(path=str(path), **{"schema": "rpt", **kwargs}).load())
    return pd.concat(chunks, ignore_index=True)


@pytest.fixture
def archive(recipient_source, tmp_path: Path) -> Path:
    """A private copy of the archive, free to damage."""
    return Path(shutil.copytree(recipient_source.dump, tmp_path / "archive"))


def _table_file(archive: Path) -> Path:
    """The rpt.recipient_lookup data file: the largest one (the decoy table has 3 rows)."""
    return max(archive.glob("*.dat.gz"), key=lambda p: p.stat().st_size)


def _rewrite_lines(data_file: Path, edit) -> None:
    lines = gzip.decompress(data_file.read_bytes()).decode().split("\n")
    data_file.write_bytes(gzip.compress("\n".join(edit(lines)).encode()))


def test_streams_every_row_in_chunks_exactly_as_stored(recipient_source) -> None:
    dataset = PgDumpTableDataset(path=str(recipient_source.dump), schema="rpt", chunk_rows=700)
    chunks = list(dataset.load())
    n = len(recipient_source.rows)
    assert [len(c) for c in chunks] == [700] * (n // 700) + [n % 700]
    loaded = pd.concat(chunks, ignore_index=True)
    assert list(loaded.columns) == list(RECIPIENT_COLUMNS)
    assert as_records(loaded) == as_records(recipient_source.rows)


def test_scalars_are_strings_or_null_and_arrays_are_string_lists(recipient_source) -> None:
    loaded = _load(recipient_source.dump)
    by_id = loaded.set_index("id")
    assert all(pd.api.types.is_string_dtype(loaded[c]) for c in loaded.columns
               if c not in ("alternate_names", "business_types_codes"))
    awkward = recipient_source.rows[recipient_source.rows["legal_business_name"] == "\\N"]
    assert by_id.loc[str(awkward["id"].iloc[0]), "legal_business_name"] == "\\N"  # not a NULL
    assert loaded["legal_business_name"].isna().sum() == 1
    assert loaded["update_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    lists = loaded["alternate_names"].dropna()
    assert all(isinstance(v, np.ndarray) for v in lists)
    assert ("A B", "C,D") in {tuple(v) for v in lists}
    assert ("NULL", None, "") in {tuple(v) for v in lists}  # a string "NULL" and a NULL element


def test_columns_are_selected_and_ordered(recipient_source) -> None:
    loaded = _load(recipient_source.dump, columns=["uei", "alternate_names", "recipient_hash"])
    assert list(loaded.columns) == ["uei", "alternate_names", "recipient_hash"]
    expected = recipient_source.rows[["uei", "alternate_names", "recipient_hash"]]
    assert as_records(loaded) == as_records(expected)


def test_the_table_is_found_by_name_and_schema_in_the_toc(recipient_source) -> None:
    with pytest.raises(DatasetError, match=r"several schemas \(public.recipient_lookup, "
                                           r"rpt.recipient_lookup\); set 'schema'"):
        PgDumpTableDataset(path=str(recipient_source.dump)).load()
    assert len(_load(recipient_source.dump, schema="public")) == 3


def test_uncompressed_data_files_load_the_same(recipient_source, archive: Path) -> None:
    data_file = _table_file(archive)
    data_file.with_suffix("").write_bytes(gzip.decompress(data_file.read_bytes()))
    data_file.unlink()
    assert as_records(_load(archive)) == as_records(recipient_source.rows)


def test_missing_table_names_the_table_and_what_exists(archive: Path) -> None:
    with pytest.raises(DatasetError, match=r"no data for table 'rpt.award'.*"
                                           r"public.recipient_lookup, rpt.recipient_lookup"):
        PgDumpTableDataset(path=str(archive), table="award", schema="rpt").load()


def test_missing_column_is_refused(archive: Path) -> None:
    with pytest.raises(DatasetError, match=r"no column\(s\) \['dba_name'\]"):
        PgDumpTableDataset(path=str(archive), schema="rpt", columns=["uei", "dba_name"]).load()


def test_missing_data_file_names_the_file(archive: Path) -> None:
    data_file = _table_file(archive)
    data_file.unlink()
    with pytest.raises(DatasetError, match=rf"no data file {data_file.name}.*file is missing"):
        PgDumpTableDataset(path=str(archive), schema="rpt").load()


def _point_toc_at(archive: Path, name: str) -> None:
    """Make toc.dat give ``name`` as the recipient_lookup data file, as a hostile dump could."""
    def encoded(text: str) -> bytes:  # a pg_dump string: sign byte, 4-byte length, bytes
        return b"\x00" + len(text.encode()).to_bytes(4, "little") + text.encode()

    toc = archive / "toc.dat"
    content = toc.read_bytes()
    current = encoded(_table_file(archive).name.removesuffix(".gz"))
    assert content.count(current) == 1
    toc.write_bytes(content.replace(current, encoded(name)))


SECRET_LINE = "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"


@pytest.mark.parametrize("name", ["../outside.dat", "{outside}", "sub/../../outside.dat"])
def test_a_data_file_named_outside_the_archive_is_never_read(archive: Path, name: str) -> None:
    outside = archive.parent / "outside.dat"
    outside.write_text(SECRET_LINE)
    _point_toc_at(archive, name.format(outside=outside))
    with pytest.raises(DatasetError, match=r"not a file name inside the archive directory"
                       ) as error:
        list(PgDumpTableDataset(path=str(archive), schema="rpt").load())
    assert "wJalrXUtnFEMI" not in str(error.value)


def test_a_data_file_linking_outside_the_archive_is_never_read(archive: Path) -> None:
    outside = archive.parent / "outside.dat"
    outside.write_text(SECRET_LINE)
    data_file = _table_file(archive)
    _point_toc_at(archive, "9999.dat")
    data_file.unlink()
    (archive / "9999.dat").symlink_to(outside)
    with pytest.raises(DatasetError, match=r"9999\.dat.*links to a file outside the archive "
                                           r"directory") as error:
        list(PgDumpTableDataset(path=str(archive), schema="rpt").load())
    assert "wJalrXUtnFEMI" not in str(error.value)


def test_not_an_archive_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no toc.dat"):
        PgDumpTableDataset(path=str(tmp_path)).load()


def test_truncated_toc_names_the_toc(archive: Path) -> None:
    toc = archive / "toc.dat"
    toc.write_bytes(toc.read_bytes()[:300])
    with pytest.raises(DatasetError, match=r"toc.dat is truncated or corrupt"):
        PgDumpTableDataset(path=str(archive), schema="rpt").load()


def test_archive_format_1_15_header_is_read(recipient_source, archive: Path) -> None:
    """pg_dump 16+ writes format 1.15: the compression level (an int) became an algorithm byte."""
    toc = archive / "toc.dat"
    content = toc.read_bytes()
    assert content[5:8] == bytes([1, 14, 0]) and content[8] == 4  # 1.14, 4-byte integers
    gzip_algorithm = bytes([1])
    toc.write_bytes(content[:6] + bytes([15]) + content[7:11] + gzip_algorithm + content[16:])
    assert as_records(_load(archive)) == as_records(recipient_source.rows)


def test_archive_format_newer_than_known_is_refused(archive: Path) -> None:
    toc = archive / "toc.dat"
    content = bytearray(toc.read_bytes())
    content[6] = 17  # PGDMP, major 1, minor 17
    toc.write_bytes(bytes(content))
    with pytest.raises(DatasetError, match=r"archive format 1.17 is not supported"):
        PgDumpTableDataset(path=str(archive), schema="rpt").load()


def test_truncated_gzip_fails_the_stream(archive: Path) -> None:
    data_file = _table_file(archive)
    data_file.write_bytes(data_file.read_bytes()[: data_file.stat().st_size // 2])
    with pytest.raises(DatasetError, match=rf"{data_file.name}.*Truncated compressed stream"):
        list(PgDumpTableDataset(path=str(archive), schema="rpt", chunk_rows=100).load())


def test_corrupt_gzip_fails_the_stream(archive: Path) -> None:
    data_file = _table_file(archive)
    content = bytearray(data_file.read_bytes())
    middle = len(content) // 2
    content[middle:middle + 64] = bytes(64)
    data_file.write_bytes(bytes(content))
    with pytest.raises(DatasetError, match=rf"{data_file.name}.*unreadable after line"):
        list(PgDumpTableDataset(path=str(archive), schema="rpt").load())


def test_line_with_a_missing_field_is_reported_with_its_line_number(archive: Path) -> None:
    def drop_last_field(lines: list[str]) -> list[str]:
        lines[6] = lines[6].rsplit("\t", 1)[0]
        return lines

    _rewrite_lines(_table_file(archive), drop_last_field)
    with pytest.raises(DatasetError, match=r"line 7 has 19 tab-separated fields, expected 20"):
        list(PgDumpTableDataset(path=str(archive), schema="rpt").load())


def test_data_without_end_marker_is_reported_truncated(recipient_source, archive: Path) -> None:
    _rewrite_lines(_table_file(archive), lambda lines: [x for x in lines if x != "\\."])
    lines = f"{len(recipient_source.rows):,}"
    with pytest.raises(DatasetError, match=rf"ends after line {lines} without the end-of-data "
                                           r"line '\\\.': the data is truncated"):
        list(PgDumpTableDataset(path=str(archive), schema="rpt", chunk_rows=500).load())


def test_value_that_is_not_an_array_literal_is_reported(archive: Path) -> None:
    def break_array(lines: list[str]) -> list[str]:
        fields = lines[2].split("\t")
        fields[RECIPIENT_COLUMNS.index("alternate_names")] = "A,B"
        lines[2] = "\t".join(fields)
        return lines

    _rewrite_lines(_table_file(archive), break_array)
    with pytest.raises(DatasetError, match=r"column 'alternate_names': line 3 holds 'A,B', "
                                           r"not an array literal"):
        list(PgDumpTableDataset(path=str(archive), schema="rpt").load())
