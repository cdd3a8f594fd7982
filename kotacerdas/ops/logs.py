"""JSON lines for the log collector (journald, Loki, Elasticsearch): one object per record, with the
request id of the request being served (kotacerdas.ops.requestid)."""

import json
import logging
from datetime import UTC, datetime
from typing import Any

from kotacerdas.ops.requestid import current_request_id

# Attributes every LogRecord has; whatever else a caller passed in ``extra=`` becomes a field of its own.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id.get() or None,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value if isinstance(value, str | int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Development: readable lines, still carrying the request id."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = current_request_id.get()
        line = super().format(record)
        return f"{line} [{request_id}]" if request_id else line
