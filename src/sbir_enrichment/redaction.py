"""Credentials out of every message: the one function that error and report texts go through.

Passwords reach messages from connection URLs (``postgresql://user:secret@host/db``, quoted whole
by libpq when it cannot parse them), from ``key=value`` settings (``password=secret``,
``aws_secret_access_key = ...``) and from values a caller knows to be secret. ``redact`` replaces
each with ``***`` and leaves the rest of the text (host, database, the reason) readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"

# scheme://user:password@ -> scheme://user:***@ (the password may hold '@': up to the last one).
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.\-]*://[^\s:/?#@'\"]*):[^\s'\"]*@",
                           re.IGNORECASE)
_SECRET_KEY = (r"[\w.\-]*(?:password|passwd|pwd|secret|api[_\-]?key|access[_\-]?key|"
               r"(?:auth|access|api|bearer|refresh|session)[_\-]?token)[\w.\-]*")
# password=secret, "password": 'secret', secret_access_key: abc (quoted values as a whole).
_KEY_VALUE = re.compile(
    rf"(?P<head>\b{_SECRET_KEY}['\"]?\s*[=:]\s*)"
    r"(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s&;,'\"}]+)",
    re.IGNORECASE)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with URL passwords, secret-looking settings and the given ``secrets`` masked.

    Args:
        text: An error message, log line or report field.
        secrets: Values known to be secret (e.g. the password of the credentials in use);
            each is masked wherever it occurs. Empty values are ignored.

    Returns:
        The text with every credential replaced by ``***``.
    """
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _URL_PASSWORD.sub(rf"\g<head>:{MASK}@", text)
    return _KEY_VALUE.sub(rf"\g<head>{MASK}", text)
