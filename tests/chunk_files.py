"""The chunk files of a partitioned dataset, as resume tests compare them."""

from __future__ import annotations

from pathlib import Path


def finished_chunks(folder: Path) -> dict[str, tuple[int, int]]:
    """Chunk files renamed into place (complete), with inode and mtime."""
    if not folder.exists():
        return {}
    return {p.stem: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.glob("*.parquet")}
