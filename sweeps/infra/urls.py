"""Store URLs: safe display and local paths.

A secret is the password of a URL's user (``scheme://user:PASSWORD@host``) and the value of
any query parameter whose name holds one of :data:`SECRET_WORDS` (``?password=``,
``&sslpassword=``, ``?token=``, ``?X-Amz-Signature=``, ``?api_key=``, ...). In free text
(messages, tracebacks, log lines), ``name=value`` pairs whose name holds ``pass``, ``pwd``,
``secret`` or ``token`` are secrets too (libpq's ``password=...`` connection strings).
Each becomes ``***``.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlparse

__all__ = ["MASK", "RedactingFormatter", "redact", "redact_text"]

MASK = "***"
#: A query parameter is secret when its name contains one of these (any case).
SECRET_WORDS = ("pass", "pwd", "secret", "token", "key", "auth", "credential", "signature")
#: ``scheme://user:password@`` anywhere in a text (the password may itself hold ``@`` or ``:``).
CREDENTIALS = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):[^/\s]*@")
#: A secret query parameter's value: ``?name=value`` or ``&name=value`` (or ``;``).
SECRET_PARAM = re.compile(
    rf"([?&;][^=&;#\s]*(?:{'|'.join(SECRET_WORDS)})[^=&;#\s]*=)[^&;#\s'\"]*", re.IGNORECASE
)
#: ``name=value`` in free text whose name says it is a password or a token.
SECRET_PAIR = re.compile(
    r"(\b[\w.-]*(?:pass|pwd|secret|token)[\w.-]*\s*=\s*)('[^']*'|\"[^\"]*\"|[^\s,;&)]+)",
    re.IGNORECASE,
)


def redact(url: str) -> str:
    """The URL with its secrets replaced by ``***``: safe to print, log or tag."""
    try:
        parsed = urlparse(url)
        password = parsed.password
    except ValueError:  # not a URL urllib can split: redact it as text
        return redact_text(url)
    if password is not None:
        user, _, host = parsed.netloc.rpartition("@")
        name = user.split(":", 1)[0]
        url = parsed._replace(netloc=f"{name}:{MASK}@{host}").geturl()
    return SECRET_PARAM.sub(rf"\1{MASK}", url)


def redact_text(text: str) -> str:
    """``text`` with every secret of the URLs and connection strings in it replaced."""
    text = CREDENTIALS.sub(rf"\1:{MASK}@", text)
    text = SECRET_PARAM.sub(rf"\1{MASK}", text)
    return SECRET_PAIR.sub(lambda m: m.group(1) + MASK, text)


class RedactingFormatter(logging.Formatter):
    """A log formatter whose lines (tracebacks included) have their secrets redacted: a
    library's log line may quote a store URL."""

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record, redacted."""
        return redact_text(super().format(record))
