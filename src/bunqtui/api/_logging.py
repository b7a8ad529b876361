"""Keep secrets in URLs out of logs, whatever level or handler a user sets.

bunq's OAuth token exchange must carry ``code`` and ``client_secret`` as query parameters
(docs/protocol.md#token-exchange), and httpx logs every request's full URL at INFO on the ``httpx``
logger. A filter
attached to the loggers that can see such a URL rewrites each record before any handler
formats it: filters on a logger run for every record made on that logger, whichever handler
(root's, a file's, pytest's) later receives it, so turning levels up cannot bypass it. Lowering
httpx's level instead would be undone by the first user who asks for DEBUG.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

# names of query parameters (and form fields) whose values are secrets
_SECRET = re.compile(
    r"(?i)(?<![\w-])(client_secret|code|secret|access_token|refresh_token|token|api_key|password)"
    r"(=|%3D)([^&\s\"'<>#]*)"
)
REDACTED = "[redacted]"

# every logger that sees a request's URL: httpx's own, httpcore's (a filter on a parent does
# not run for a child's records), and bunqtui's
LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "bunqtui",
    "bunqtui.api.transport",
    "bunqtui.api.oauth",
    "bunqtui.api.client",
)


def redact(text: str) -> str:
    """``text`` with the value of every secret-named parameter replaced by ``[redacted]``."""
    return _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


def _redact_arg(value: Any) -> Any:
    # only text and URL objects (httpx passes request.url itself); numbers keep their type so
    # "%d" still formats
    if isinstance(value, str) or type(value).__name__ == "URL":
        text = str(value)
        cleaned = redact(text)
        return cleaned if cleaned != text else value
    return value


class RedactSecrets(logging.Filter):
    """Rewrites a record's message, arguments, traceback and stack text; never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        elif record.msg is not None and type(record.msg).__name__ == "URL":
            record.msg = redact(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _redact_arg(arg) for key, arg in record.args.items()}
        if record.exc_info and not record.exc_text:
            # formatted once here (what a Formatter would do), so the redacted text is used
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactSecrets()


def install_log_redaction() -> None:
    """Attach the filter to every logger in LOGGERS (once; cheap to call again)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
