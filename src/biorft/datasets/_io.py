"""Reading user tables (CSV / TSV / parquet / SDF / polars) and naming mistakes helpfully."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biorft.errors import DatasetError

if TYPE_CHECKING:
    import polars as pl

__all__ = ["did_you_mean", "read_table", "require_columns", "source_label"]

Source = Any  # str | os.PathLike | polars.DataFrame | pandas.DataFrame


def did_you_mean(value: str, choices: Iterable[str], *, n: int = 3) -> str:
    """A ``" (did you mean 'x'?)"`` suffix naming the closest choices, or ``""`` when none is close.

    Examples:
        >>> did_you_mean("smile", ["smiles", "y"])
        " (did you mean 'smiles'?)"
        >>> did_you_mean("zzz", ["smiles"])
        ''
    """
    pool = [str(c) for c in choices]
    close = difflib.get_close_matches(value, pool, n=n, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        close = [lowered[m] for m in difflib.get_close_matches(value.lower(), list(lowered), n=n, cutoff=0.6)]
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


def source_label(source: Source) -> str:
    """How error messages name a source: the file path, or ``"<frame>"`` for in-memory tables.

    Examples:
        >>> source_label("data/x.csv")
        'data/x.csv'
    """
    if isinstance(source, str | Path):
        return str(source)
    return "<frame>"


def read_table(source: Source, *, separator: str | None = None) -> pl.DataFrame:
    """Read a table from a path (CSV, TSV, parquet, SDF) or take a polars / pandas frame as is.

    Every column of a text file is read as a string, so identifiers such as ``"007"`` survive; builders convert
    the columns they use and quarantine rows whose values do not convert.

    Args:
        source: A path or a data frame.
        separator: Field separator for delimited text; guessed from the suffix (``.tsv`` / ``.tab`` -> tab,
            else comma) when None.

    Returns:
        A polars DataFrame.

    Raises:
        DatasetError: When the file is missing, of an unknown kind, or cannot be parsed (naming the file).

    Examples:
        >>> import polars as pl
        >>> read_table(pl.DataFrame({"smiles": ["CCO"]})).columns
        ['smiles']
    """
    import polars as pl

    if isinstance(source, pl.DataFrame):
        return source
    if isinstance(source, pl.LazyFrame):
        return source.collect()
    if type(source).__module__.startswith("pandas"):
        return pl.from_pandas(source)
    if not isinstance(source, str | Path):
        raise DatasetError(
            f"cannot read a table from a {type(source).__name__}; pass a path (CSV / TSV / parquet / SDF) "
            "or a polars / pandas DataFrame"
        )
    path = Path(source)
    if path.is_dir():
        raise DatasetError(f"{str(path)!r} is a directory, not a table file; pass a CSV / TSV / parquet / SDF file")
    if not path.is_file():
        hint = did_you_mean(path.name, [p.name for p in path.parent.iterdir()]) if path.parent.is_dir() else ""
        raise DatasetError(f"file {str(path)!r} does not exist{hint}; check the path")
    suffix = "".join(path.suffixes[-2:]).lower() if path.suffix.lower() == ".gz" else path.suffix.lower()
    try:
        if suffix in {".parquet", ".pq"}:
            return pl.read_parquet(path)
        if suffix in {".sdf", ".sd", ".mol"}:
            from biorft.chem import read_sdf

            rows = read_sdf(str(path))
            if not rows:
                return pl.DataFrame(
                    {"smiles": [], "_sdf_error": []}, schema={"smiles": pl.String, "_sdf_error": pl.String}
                )
            keys = list(dict.fromkeys(k for r in rows for k in r))
            return pl.DataFrame(
                {k: [_str_or_none(r.get(k)) for r in rows] for k in keys}, schema={k: pl.String for k in keys}
            )
        if suffix in {".csv", ".tsv", ".tab", ".txt", ".csv.gz", ".tsv.gz"}:
            sep = separator or ("\t" if suffix.startswith((".tsv", ".tab")) else ",")
            if not suffix.endswith(".gz"):
                _check_text(path, sep)
            try:
                return pl.read_csv(path, separator=sep, infer_schema=False, quote_char='"')
            except Exception:
                if not suffix.endswith(".gz"):
                    _find_ragged(path, sep)
                raise
    except DatasetError:
        raise
    except Exception as exc:
        raise DatasetError(_one_line(f"cannot read {str(path)!r}: {type(exc).__name__}: {exc}")) from exc
    raise DatasetError(
        f"cannot read {str(path)!r}: unknown file type {suffix!r}; use .csv, .tsv, .parquet or .sdf "
        "(or pass a DataFrame)"
    )


def _one_line(text: str, limit: int = 280) -> str:
    """The first line of ``text``, cut to ``limit`` characters (error messages stay one short line)."""
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


_HEAD_BYTES = 1 << 16


def _check_text(path: Path, sep: str) -> None:
    """Refuse binary, UTF-16/32 and non-UTF-8 files and duplicate header names, naming the file, in one line."""
    import codecs
    import csv
    import io

    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    name = repr(str(path))
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or (
        len(head) >= 4 and head[1:8:2].count(0) >= 3 and 0 not in head[0:8:2]
    ):
        raise DatasetError(f"cannot read {name}: the file is UTF-16/UTF-32 encoded; save it as UTF-8 text")
    if 0 in head:
        raise DatasetError(
            f"cannot read {name}: it looks binary (a NUL byte at offset {head.index(0)}), not CSV / TSV text; "
            "pass a text table, a .parquet or an .sdf file"
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(head.removeprefix(codecs.BOM_UTF8), final=len(head) < _HEAD_BYTES)
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"cannot read {name}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 (e.g. from Latin-1 / Windows-1252)"
        ) from None
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=sep), [])
    seen: set[str] = set()
    for col in header:
        if col in seen:
            raise DatasetError(
                _one_line(f"cannot read {name}: column {col!r} appears twice in the header; rename one of them")
            )
        seen.add(col)


def _find_ragged(path: Path, sep: str) -> None:
    """Raise naming the first line whose field count differs from the header's (when there is one)."""
    import csv

    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        header = next(reader, [])
        for row in reader:
            if row and len(row) != len(header):
                raise DatasetError(
                    _one_line(
                        f"cannot read {str(path)!r}: line {reader.line_num} has {len(row)} fields but the header has "
                        f"{len(header)}; fix that line (quote fields that contain {sep!r})"
                    )
                )


def _str_or_none(v: Any) -> str | None:
    return None if v is None else str(v)


def require_columns(frame: pl.DataFrame, columns: Sequence[str], *, source: str, params: Sequence[str]) -> None:
    """Raise [DatasetError][biorft.errors.DatasetError] naming the missing column, source and parameter.

    Examples:
        >>> import polars as pl
        >>> require_columns(pl.DataFrame({"SMILES": ["C"]}), ["smiles"], source="x.csv", params=["smiles"])
        Traceback (most recent call last):
        ...
        biorft.errors.DatasetError: column 'smiles' (parameter smiles=) not found in x.csv (did you mean 'SMILES'?); \
columns are ['SMILES']
    """
    for col, param in zip(columns, params, strict=True):
        if col not in frame.columns:
            raise DatasetError(
                f"column {col!r} (parameter {param}=) not found in {source}{did_you_mean(col, frame.columns)}; "
                f"columns are {frame.columns[:20]}"
            )
