"""Compatibility path: redaction lives in `biorft._redact` (one module for every area)."""

from __future__ import annotations

from biorft._redact import REDACTED, client_secrets, redact

__all__ = ["REDACTED", "client_secrets", "redact"]
