"""Store URLs: safe display and local paths."""

from __future__ import annotations

import re
from urllib.parse import urlparse

#: ``scheme://user:password@`` anywhere in a text (an error message, a traceback).
CREDENTIALS = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):[^/\s@]*@")


def redact(url: str) -> str:
    """The URL with any password replaced by ``***``: safe to print, log or tag."""
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@", 1)
    return parsed._replace(netloc=netloc).geturl()


def redact_text(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``."""
    return CREDENTIALS.sub(r"\1:***@", text)
