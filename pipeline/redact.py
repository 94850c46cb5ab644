"""Keep secrets out of what we print, log and write: credentials inside URLs.

A journal behind a login can only be harvested with a key, and users put it where they can: in
the address (``https://user:pass@host/...``) or its query (OJS's ``?apiToken=...``). Those URLs
show up in progress lines, error messages and logs that get pasted into issue trackers and
e-mails, so every URL we show passes through here: the password of the user-info and the value of
any query parameter whose name says key, token, secret, password, signature or auth become
``***``. The request itself still uses the real URL. httpx logs every request URL at INFO level,
so its logger gets a filter doing the same.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
_SECRET_NAME = re.compile(r"(key|token|secret|passw|pwd|sig|auth|session|credential)", re.I)
_URL = re.compile(r"https?://[^\s\"'<>]+")


def redact_url(url: str) -> str:
    """``url`` with its password and secret-looking query values masked; other parts kept."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK  # not even parseable: show nothing of it rather than a possible secret
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{MASK}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_NAME.search(name) for name, _ in pairs):
            masked = [(n, MASK if _SECRET_NAME.search(n) else v) for n, v in pairs]
            query = urlencode(masked, safe="*:/")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str) -> str:
    """Every http(s) URL inside ``text`` redacted (error messages, log lines)."""
    return _URL.sub(lambda match: redact_url(match.group(0)), text)


class RedactingFilter(logging.Filter):
    """Masks credentials in URLs of every record a logger emits (httpx logs each request URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        return True


def protect_logger(name: str) -> None:
    """Attach the filter to a logger we do not own, once."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
