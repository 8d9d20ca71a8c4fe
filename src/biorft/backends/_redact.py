"""Remove API keys and bearer tokens from any text biorft logs, raises or stores.

The OpenAI backend passes every message that may contain service text (error bodies, file status details, grader
tracebacks) through `redact` before it reaches a log record, an exception or a state file.

Examples:
    >>> redact("Incorrect API key provided: sk-abc123def456ghi", secrets=("sk-abc123def456ghi",))
    'Incorrect API key provided: [REDACTED]'
    >>> redact("Authorization: Bearer eyJhbGciOi.payload.sig")
    'Authorization: Bearer [REDACTED]'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["REDACTED", "client_secrets", "redact"]

REDACTED = "[REDACTED]"

# Key shapes that must never be shown even when biorft does not know the key: OpenAI keys (sk-..., sk-proj-...,
# sk-admin-...), bearer tokens, and api-key header values.
_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(?i)(\bbearer\s+)[^\s\"',;]+"),
    re.compile(r"(?i)(\bapi[-_]key[\"']?\s*[:=]\s*[\"']?)[^\s\"',;]+"),
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with every known secret and every key-shaped token replaced by ``[REDACTED]``.

    Args:
        text: Any text, e.g. an error message from the service.
        secrets: Exact secret strings to remove (the client's API key and tokens). Empty strings are ignored;
            longer secrets are removed first so a secret that contains another is removed whole.

    Returns:
        The text without secrets.

    Examples:
        >>> redact("key=hunter2-long-secret failed", secrets=["hunter2-long-secret"])
        'key=[REDACTED] failed'
    """
    out = text
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        out = out.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        out = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + REDACTED, out)
    return out


def client_secrets(client: object) -> tuple[str, ...]:
    """The secret strings an ``openai`` client holds (API key, admin key, Azure AD token), never logged.

    Args:
        client: An ``openai.OpenAI`` or ``openai.AzureOpenAI`` client, or any object.

    Returns:
        The string-valued secrets found on the client.

    Examples:
        >>> class C:
        ...     api_key = "sk-test-0123456789"
        >>> client_secrets(C())
        ('sk-test-0123456789',)
    """
    found: list[str] = []
    for attr in ("api_key", "admin_api_key", "_azure_ad_token"):
        value = getattr(client, attr, None)
        if isinstance(value, str) and value:
            found.append(value)
    return tuple(found)
