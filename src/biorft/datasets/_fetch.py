r"""The one downloader of optional online sources: cached, verified, atomic, and never run unless asked.

Online data sets (the TDC ADMET benchmark group, further Geneformer gene lists) are not bundled. The first time a
task needs one, `fetch` downloads it into the biorft data folder, verifies it (size, SHA-256 and, for text
tables, the row count) and moves it into place atomically; later calls only verify the cached copy. Nothing is
downloaded at import time, and ``BIORFT_OFFLINE=1`` turns every download into an error that says where to put the
file by hand.

Downloads come from each source's URL, or from ``$BIORFT_DATA_MIRROR/<name>`` when a mirror is set. The data
folder is ``$BIORFT_DATA_DIR`` when set, else the platform's user cache folder (``~/.cache/biorft`` on
Linux, ``~/Library/Caches/biorft`` on macOS, ``%LOCALAPPDATA%\biorft\Cache`` on Windows).

Checksums: a source whose SHA-256 is pinned in biorft is checked against the pin. A source whose checksum was not
known when biorft was released is *trusted on first use*: the first verified copy's size and SHA-256 are written
beside it (``<file>.sha256``) and every later use is checked against that record; the dataset card says which of
the two applies.

Examples:
    >>> import os, tempfile
    >>> os.environ["BIORFT_DATA_DIR"] = tempfile.mkdtemp()
    >>> src = RemoteFile(name="demo/hello.txt", url="http://127.0.0.1:9/hello.txt", sha256=None, size=None)
    >>> path = local_path(src)
    >>> _ = path.parent.mkdir(parents=True, exist_ok=True); _ = path.write_text("a,b\n1,2\n")
    >>> fetch(src, download=False).path.name                      # placed by hand: verified and pinned on first use
    'hello.txt'
    >>> verify(src).trust
    'first-use'
    >>> del os.environ["BIORFT_DATA_DIR"]
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from biorft.errors import DownloadError

__all__ = ["FetchedFile", "RemoteFile", "data_dir", "fetch", "local_path", "source_url", "verify"]

_CHUNK = 1 << 20
_LOCK = threading.Lock()
_VERIFIED: dict[tuple[str, int, int], FetchedFile] = {}


@dataclass(frozen=True)
class RemoteFile:
    """An optional online source file.

    Attributes:
        name: Path of the file inside the data folder, e.g. ``"tdc/admet_group.zip"``.
        url: Where it is downloaded from.
        sha256: The pinned SHA-256 (64 hex digits), or None to trust the first verified copy.
        size: The pinned size in bytes, or None.
        rows: For delimited text files, the number of data rows (lines after the header), or None.
        description: What the file is, for messages.
    """

    name: str
    url: str
    sha256: str | None = None
    size: int | None = None
    rows: int | None = None
    description: str = ""


@dataclass(frozen=True)
class FetchedFile:
    """A verified local copy of a `RemoteFile`.

    Attributes:
        path: The file.
        sha256: Its SHA-256.
        size: Its size in bytes.
        trust: ``"pinned"`` (checked against the checksum biorft ships) or ``"first-use"`` (checked against the
            checksum recorded when the file first arrived).
    """

    path: Path
    sha256: str
    size: int
    trust: Literal["pinned", "first-use"]


def data_dir() -> Path:
    """The biorft data folder: ``$BIORFT_DATA_DIR`` or the platform's user cache folder (not created here).

    Examples:
        >>> import os
        >>> os.environ["BIORFT_DATA_DIR"] = "/tmp/my-biorft-data"
        >>> str(data_dir())
        '/tmp/my-biorft-data'
        >>> del os.environ["BIORFT_DATA_DIR"]
    """
    env = os.environ.get("BIORFT_DATA_DIR")
    if env:
        return Path(env).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
        return base / "biorft" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "biorft"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else home / ".cache") / "biorft"


def local_path(remote: RemoteFile) -> Path:
    """Where the cached copy of ``remote`` lives (whether or not it is there yet)."""
    return data_dir() / remote.name


def source_url(remote: RemoteFile) -> str:
    """The URL a download uses: ``remote.url``, or ``$BIORFT_DATA_MIRROR/<name>`` when a mirror is set.

    A mirror (an institution's file server, or a local folder served over HTTP) holds the files under the same
    relative names as the data folder.

    Examples:
        >>> import os
        >>> src = RemoteFile(name="tdc/admet_group.zip", url="https://example.org/4426004")
        >>> source_url(src)
        'https://example.org/4426004'
        >>> os.environ["BIORFT_DATA_MIRROR"] = "http://127.0.0.1:8000/biorft/"
        >>> source_url(src)
        'http://127.0.0.1:8000/biorft/tdc/admet_group.zip'
        >>> del os.environ["BIORFT_DATA_MIRROR"]
    """
    mirror = os.environ.get("BIORFT_DATA_MIRROR", "").strip()
    return f"{mirror.rstrip('/')}/{remote.name}" if mirror else remote.url


def _offline() -> bool:
    return os.environ.get("BIORFT_OFFLINE", "").strip().lower() in ("1", "true", "yes")


def _by_hand(remote: RemoteFile, path: Path) -> str:
    pin = f"; it must have sha256 {remote.sha256}" if remote.sha256 else ""
    return (
        f"download {source_url(remote)} yourself and save it as {path}{pin} (or point BIORFT_DATA_DIR at a folder that "
        f"holds {remote.name})"
    )


def _digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _count_rows(path: Path) -> int:
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def _pin_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _check(remote: RemoteFile, path: Path, digest: str, size: int) -> Literal["pinned", "first-use"]:
    """Compare a file's digest and size with the shipped pin or the first-use record; raise on a mismatch."""
    problems = []
    if remote.size is not None and size != remote.size:
        problems.append(f"size {size} bytes, expected {remote.size}")
    trust: Literal["pinned", "first-use"] = "pinned"
    expected = remote.sha256
    if expected is None:
        trust = "first-use"
        record = _pin_path(path)
        if record.is_file():
            expected = record.read_text(encoding="utf-8").split()[0]
    if expected is not None and digest != expected:
        where = "the pinned" if trust == "pinned" else f"the one recorded on first use in {_pin_path(path)}"
        problems.append(f"sha256 {digest}, expected {where} {expected}")
    if remote.rows is not None and not problems:
        rows = _count_rows(path)
        if rows != remote.rows:
            problems.append(f"{rows} data rows, expected {remote.rows}")
    if problems:
        raise DownloadError(
            f"{path} ({remote.description or remote.name}) failed verification: {'; '.join(problems)}. Delete it "
            f"and let biorft download it again, or {_by_hand(remote, path)}"
        )
    return trust


def verify(remote: RemoteFile) -> FetchedFile:
    """Verify the cached copy of ``remote`` (size, SHA-256, rows); record its checksum on first use.

    Raises:
        DownloadError: When the file is missing or does not match (naming the file and what to do).
    """
    path = local_path(remote)
    try:
        stat = path.stat()
    except OSError:
        raise DownloadError(f"{remote.name} is not in the biorft data folder; {_by_hand(remote, path)}") from None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _LOCK:
        hit = _VERIFIED.get(key)
    if hit is not None:
        return hit
    digest, size = _digest(path)
    trust = _check(remote, path, digest, size)
    record = _pin_path(path)
    if trust == "first-use" and not record.is_file():
        _atomic_write(record, f"{digest} {size} {source_url(remote)}\n".encode())
    out = FetchedFile(path=path, sha256=digest, size=size, trust=trust)
    with _LOCK:
        _VERIFIED[key] = out
    return out


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _download(remote: RemoteFile, path: Path, timeout: float) -> None:
    from biorft import __version__

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    url = source_url(remote)
    request = urllib.request.Request(url, headers={"User-Agent": f"biorft/{__version__} (python urllib)"})
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as response:
            written = 0
            while chunk := response.read(_CHUNK):
                written += len(chunk)
                if remote.size is not None and written > remote.size:
                    raise DownloadError(
                        f"{url} sent more than the expected {remote.size} bytes; not saved. Or {_by_hand(remote, path)}"
                    )
                out.write(chunk)
        digest, size = _digest(Path(tmp))
        _check(remote, Path(tmp), digest, size)
        os.replace(tmp, path)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = exc if isinstance(exc, urllib.error.HTTPError) else getattr(exc, "reason", None) or exc
        raise DownloadError(
            f"could not download {remote.description or remote.name} from {url}: {reason}. If this machine "
            f"is offline, {_by_hand(remote, path)}"
        ) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def fetch(remote: RemoteFile, *, download: bool = True, timeout: float = 120.0) -> FetchedFile:
    """The verified local copy of ``remote``, downloading it first when it is not cached.

    Args:
        remote: The source.
        download: Download when the file is missing (False: only use a cached or hand-placed copy).
        timeout: Seconds to wait for the server.

    Returns:
        The `FetchedFile` (path, SHA-256, size, how it was verified).

    Raises:
        DownloadError: Offline (or ``BIORFT_OFFLINE=1`` / ``download=False``) with no cached copy, a failed
            download, or a copy that fails verification; the message names the URL and where to place the file.
    """
    path = local_path(remote)
    if not path.is_file():
        if not download or _offline():
            why = "BIORFT_OFFLINE is set" if _offline() else "downloads were not allowed (download=False)"
            raise DownloadError(
                f"{remote.description or remote.name} is not cached and {why}; {_by_hand(remote, path)}"
            )
        _download(remote, path, timeout)
    return verify(remote)
