"""Secrets out of everything the gateway reports: responses, error cards, logs, the command line.

A secret is a value the configuration took from the environment (`${VAR}`), a remote
server's URL credentials and query values, its header values, the bearer tokens of `auth`
and the model's API key. Each is replaced by `***` wherever it appears in a report. A stdio
server's own output is scrubbed by shape too (`API_KEY=...`, `Bearer ...`), since what it
prints came from nowhere the configuration can name.

Values shorter than `MIN_SECRET_CHARS` are not searched for: a `${DEBUG}` of `1` would
otherwise blank every digit 1 in every message, and hides nothing worth hiding.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from gateway.vocabulary.json import is_array, is_object

MASK = "***"
MIN_SECRET_CHARS = 4

_URL = re.compile(r"""\b[a-z][a-z0-9+.-]*://[^\s'"<>()\[\]]+""", re.IGNORECASE)
_BEARER = re.compile(r"\b(bearer|basic)(\s+)[^\s'\",;]+", re.IGNORECASE)
_SECRET_NAME = (
    r"[\w.-]*(?:api[_-]?key|apikey|token|secret|passw(?:or)?d|pwd|credential|private[_-]?key)[\w.-]*"
)
_ASSIGNMENT = re.compile(
    rf"""(\b{_SECRET_NAME}["']?)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)""", re.IGNORECASE
)


def redact_url(url: str) -> str:
    """`url` with its password and every query value masked (user, host and path kept)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        netloc = f"{user}:{MASK}@{host}" if colon else f"{MASK}@{host}"
    query = parts.query
    if query:
        # Keys kept as written (not decoded): a decoded `%22` would put a quote into the text around.
        keys = [part.split("=", 1)[0] for part in query.split("&") if part]
        query = "&".join(f"{key}={MASK}" for key in keys) if keys else MASK
    fragment = MASK if parts.fragment and "=" in parts.fragment else parts.fragment
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def url_secrets(url: str) -> list[str]:
    """The parts of `url` that `redact_url` masks, to search for in other text too."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found: list[str] = []
    if parts.password:
        found.append(parts.password)
    if parts.username and parts.password is None:  # `token@host`: the user part is the secret
        found.append(parts.username)
    found += [value for _, value in parse_qsl(parts.query, keep_blank_values=True)]
    return found


class Redactor:
    """Masks known secret values and secret-shaped text; `redactor(text)` is the safe text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = frozenset(s for s in secrets if len(s) >= MIN_SECRET_CHARS)
        # Longest first, so a secret containing another is masked whole.
        ordered = sorted(self.secrets, key=len, reverse=True)
        self._known = re.compile("|".join(re.escape(s) for s in ordered)) if ordered else None

    def with_secrets(self, more: Iterable[str]) -> Redactor:
        """A redactor that also masks `more`."""
        return Redactor([*self.secrets, *more])

    def __call__(self, text: str) -> str:
        """`text` with URLs' credentials and query values, and every known secret, masked."""
        if not text:
            return text
        if "://" in text:  # the URL pattern is slow on long text: most text has no URL at all
            text = _URL.sub(lambda m: redact_url(m.group()), text)
        if self._known is not None:
            text = self._known.sub(MASK, text)
        return text

    def value(self, value: Any) -> Any:
        """A JSON value with every string in it, object keys included, passed through the redactor."""
        if isinstance(value, str):
            return self(value)
        if is_object(value):
            return {self(key): self.value(inner) for key, inner in value.items()}
        if is_array(value):
            return [self.value(inner) for inner in value]
        return value

    def output(self, text: str) -> str:
        """A server's own output: known secrets, then anything shaped like a credential."""
        text = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", self(text))
        return _ASSIGNMENT.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


class RedactingFilter(logging.Filter):
    """A logging filter that formats each record's message (and traceback) through a Redactor."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops one."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's to report, not ours
            return True
        redacted = self.redactor.output(message)
        if redacted != message:  # left alone otherwise: some formatters read record.args themselves
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.output(record.exc_text)
        return True


def redact_logs(redactor: Redactor, *loggers: str) -> None:
    """Install a RedactingFilter on every handler of the root logger and of `loggers`."""
    seen: set[int] = set()
    for name in ("", *loggers):
        for handler in logging.getLogger(name).handlers:
            if id(handler) in seen:
                continue
            seen.add(id(handler))
            for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
                handler.removeFilter(old)
            handler.addFilter(RedactingFilter(redactor))
