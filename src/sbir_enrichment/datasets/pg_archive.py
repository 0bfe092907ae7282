"""Read the table of contents (``toc.dat``) of a ``pg_dump -Fd`` directory archive in pure Python.

The layout follows PostgreSQL's ``pg_backup_archiver.c`` (``WriteHead``/``WriteToc``) and
``pg_backup_directory.c`` (``_WriteExtraToc``) for archive versions 1.12 to 1.16, i.e. archives
written by pg_dump 9.0 to 17 and later releases that keep format 1.16. An integer is a sign byte
followed by ``int_size`` little-endian bytes; a string is an integer length (-1 for NULL) followed
by that many bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kedro.io.core import DatasetError

_MAGIC = b"PGDMP"
_DIRECTORY_TOC_FORMAT = 3  # a directory archive's toc.dat carries the tar format code
_OLDEST = (1, 12)
_NEWEST = (1, 16)
_COPY_STATEMENT = re.compile(r"^COPY\s+.+?\s+\((?P<columns>.*)\)\s+FROM\s+stdin;\s*$", re.DOTALL)
_IDENTIFIER = re.compile(r'\s*("(?:[^"]|"")*"|[^,]+?)\s*(?:,|$)')
_ENCODING = re.compile(r"client_encoding\s*=\s*'([^']+)'")


@dataclass(frozen=True)
class TableData:
    """One ``TABLE DATA`` entry: where a table's rows are and in which column order."""

    dump_id: int
    schema: str | None
    table: str
    columns: tuple[str, ...]
    filename: str

    @property
    def qualified_name(self) -> str:
        """``schema.table`` (or ``table`` when the archive records no schema)."""
        return f"{self.schema}.{self.table}" if self.schema else self.table


@dataclass(frozen=True)
class ArchiveToc:
    """What the loader needs from ``toc.dat``: format version, encoding, table data entries."""

    version: tuple[int, int, int]
    encoding: str | None
    tables: tuple[TableData, ...]

    def find_table(self, table: str, schema: str | None, path: Path) -> TableData:
        """Return the data entry of ``table`` (in ``schema`` when given); DatasetError otherwise."""
        matches = [t for t in self.tables
                   if t.table == table and (schema is None or t.schema == schema)]
        if len(matches) == 1:
            return matches[0]
        wanted = f"{schema}.{table}" if schema else table
        if matches:
            found = ", ".join(t.qualified_name for t in matches)
            raise DatasetError(f"pg_dump archive {path}: table '{table}' exists in several schemas "
                               f"({found}); set 'schema' to choose one.")
        available = ", ".join(sorted(t.qualified_name for t in self.tables)) or "none"
        raise DatasetError(f"pg_dump archive {path}: no data for table '{wanted}' in toc.dat "
                           f"(tables with data: {available}).")


class _Reader:
    """Sequential reader of pg_dump's integer and string encodings."""

    def __init__(self, data: bytes, path: Path) -> None:
        self._data = data
        self._pos = 0
        self._path = path
        self.int_size = 4

    def take(self, size: int) -> bytes:
        end = self._pos + size
        if end > len(self._data):
            raise DatasetError(f"{self._path} is truncated or corrupt: needed {size} bytes at "
                               f"offset {self._pos}, file has {len(self._data)}.")
        chunk = self._data[self._pos:end]
        self._pos = end
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def int(self) -> int:
        negative = self.byte()
        value = int.from_bytes(self.take(self.int_size), "little")
        return -value if negative else value

    def str(self) -> str | None:
        length = self.int()
        if length < 0:
            return None
        return self.take(length).decode("utf-8", errors="replace")


def read_archive_toc(directory: Path) -> ArchiveToc:
    """Parse ``directory/toc.dat`` of a directory-format archive.

    Args:
        directory: The archive folder (holds ``toc.dat`` and ``<dumpId>.dat[.gz]`` files).

    Returns:
        The archive's format version, encoding and table data entries.
    """
    toc_path = directory / "toc.dat"
    if not toc_path.is_file():
        raise DatasetError(f"pg_dump archive {directory}: no toc.dat (is this a "
                           f"'pg_dump -Fd' directory?).")
    reader = _Reader(toc_path.read_bytes(), toc_path)
    version = _read_header(reader, toc_path)
    return _read_entries(reader, toc_path, version)


def _read_header(reader: _Reader, toc_path: Path) -> tuple[int, int, int]:
    if reader.take(5) != _MAGIC:
        raise DatasetError(f"{toc_path} is not a pg_dump archive TOC (no PGDMP header).")
    version = (reader.byte(), reader.byte(), reader.byte())
    if not _OLDEST <= version[:2] <= _NEWEST:
        raise DatasetError(
            f"{toc_path}: archive format {version[0]}.{version[1]} is not supported "
            f"(this reader knows {_OLDEST[0]}.{_OLDEST[1]} to {_NEWEST[0]}.{_NEWEST[1]}); "
            f"restore it with pg_restore and use the postgres source instead.")
    reader.int_size = reader.byte()
    reader.byte()  # offset size: directory archives keep no data offsets
    archive_format = reader.byte()
    if archive_format != _DIRECTORY_TOC_FORMAT:
        raise DatasetError(f"{toc_path}: archive format code {archive_format} is not that of a "
                           f"directory archive ({_DIRECTORY_TOC_FORMAT}); dump with 'pg_dump -Fd'.")
    # Compression (an algorithm byte from 1.15, a level before): data files are found by suffix.
    if version[:2] >= (1, 15):
        reader.byte()
    else:
        reader.int()
    for _ in range(7):  # creation time: sec, min, hour, mday, mon, year, isdst
        reader.int()
    for _ in range(3):  # database name, server version, pg_dump version
        reader.str()
    return version


def _read_entries(reader: _Reader, toc_path: Path, version: tuple[int, int, int]) -> ArchiveToc:
    tables: list[TableData] = []
    encoding = None
    for _ in range(reader.int()):
        dump_id = reader.int()
        if dump_id <= 0:
            raise DatasetError(f"{toc_path}: entry id {dump_id} out of range (corrupt TOC).")
        reader.int()  # had a data dumper
        reader.str()  # catalog table oid
        reader.str()  # object oid
        tag, desc = reader.str(), reader.str()
        reader.int()  # section
        defn = reader.str()
        reader.str()  # drop statement
        copy_stmt = reader.str()
        schema = reader.str()
        reader.str()  # tablespace
        reader.str()  # table access method (format >= 1.14)
        if version[:2] >= (1, 16):
            reader.int()  # relkind
        reader.str()  # owner
        reader.str()  # "with oids", always "false"
        while reader.str() is not None:  # dependency ids, NULL-terminated
            pass
        filename = reader.str()
        if desc == "ENCODING" and defn and (match := _ENCODING.search(defn)):
            encoding = match.group(1)
        if desc == "TABLE DATA" and tag and filename:
            tables.append(TableData(dump_id, schema, tag, _copy_columns(copy_stmt, toc_path, tag),
                                    filename))
    return ArchiveToc(version, encoding, tuple(tables))


def _copy_columns(copy_stmt: str | None, toc_path: Path, table: str) -> tuple[str, ...]:
    """Column names, in file order, from ``COPY schema.table (a, "B c") FROM stdin;``."""
    match = _COPY_STATEMENT.match(copy_stmt or "")
    if not match:
        raise DatasetError(f"{toc_path}: table '{table}' has no readable COPY statement "
                           f"({copy_stmt!r}).")
    names = []
    for token in _IDENTIFIER.findall(match.group("columns")):
        quoted = token.startswith('"')
        names.append(token[1:-1].replace('""', '"') if quoted else token)
    return tuple(names)
