"""The small local JSON file that makes uploads idempotent: content sha256 -> file id, per endpoint.

Default location: ``$BIORFT_CACHE_DIR/openai_files.json``, else ``$XDG_CACHE_HOME/biorft/openai_files.json``, else
``~/.cache/biorft/openai_files.json``. Entries are keyed by the endpoint (base URL plus organisation / project,
which are not secrets) and the sha256 of the exact bytes uploaded; the API key is never written. Writes are
atomic (temporary file + rename), so an interrupted run never leaves a half-written file.

Examples:
    >>> import tempfile, pathlib
    >>> reg = FileRegistry(pathlib.Path(tempfile.mkdtemp()) / "files.json")
    >>> reg.put("https://api.openai.com/v1", "ab" * 32, {"file_id": "file-1", "bytes": 10})
    >>> reg.get("https://api.openai.com/v1", "ab" * 32)["file_id"]
    'file-1'
    >>> reg.get("https://other.example/v1", "ab" * 32) is None
    True
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from biorft.errors import BackendError

__all__ = ["FileRegistry", "default_state_path"]

_VERSION = 1


def default_state_path() -> Path:
    """Where the upload registry lives unless ``OpenAIRFT(state_path=...)`` says otherwise.

    Returns:
        The path (the file may not exist yet).

    Examples:
        >>> default_state_path().name
        'openai_files.json'
    """
    explicit = os.environ.get("BIORFT_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser() / "openai_files.json"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "biorft" / "openai_files.json"


class FileRegistry:
    """A JSON file mapping (endpoint, sha256) to an uploaded file's id and size.

    Args:
        path: The JSON file; created (with its folder) on the first write.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"FileRegistry({str(self.path)!r})"

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"version": _VERSION, "files": {}}
        except (OSError, ValueError) as exc:
            raise BackendError(
                f"the upload registry {self.path} is unreadable ({exc}); delete it (uploads will be redone "
                "once, then reused) or pass another state_path"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
            raise BackendError(f"the upload registry {self.path} has an unknown layout; delete it or move it away")
        return data

    @staticmethod
    def _key(endpoint: str, sha256: str) -> str:
        return f"{endpoint}|{sha256}"

    def get(self, endpoint: str, sha256: str) -> dict[str, Any] | None:
        """The entry for these bytes at this endpoint, or None.

        Args:
            endpoint: The endpoint key (base URL, organisation, project).
            sha256: Hex digest of the uploaded bytes.

        Returns:
            The stored entry (``file_id``, ``bytes``, ``filename``, ...), or None.
        """
        entry = self._load()["files"].get(self._key(endpoint, sha256))
        return dict(entry) if isinstance(entry, dict) else None

    def put(self, endpoint: str, sha256: str, entry: dict[str, Any]) -> None:
        """Record an uploaded file (atomically rewrites the registry).

        Args:
            endpoint: The endpoint key.
            sha256: Hex digest of the uploaded bytes.
            entry: What to store: ``file_id`` and non-secret facts about the file.
        """
        data = self._load()
        data["files"][self._key(endpoint, sha256)] = entry
        self._write(data)

    def forget(self, endpoint: str, sha256: str) -> None:
        """Drop an entry (the file was deleted or failed processing on the service).

        Args:
            endpoint: The endpoint key.
            sha256: Hex digest of the uploaded bytes.
        """
        data = self._load()
        if data["files"].pop(self._key(endpoint, sha256), None) is not None:
            self._write(data)

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".openai_files.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
                fh.write("\n")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
