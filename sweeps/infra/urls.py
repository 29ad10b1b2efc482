"""Store URLs: safe display and local paths."""

from __future__ import annotations

from urllib.parse import urlparse


def redact(url: str) -> str:
    """The URL with any password replaced by ``***``: safe to print, log or tag."""
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@", 1)
    return parsed._replace(netloc=netloc).geturl()
