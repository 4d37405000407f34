"""JSON-lines log records for stdout (standard library only).

Used by Django's LOGGING (config/settings.py) and by gunicorn (config/gunicorn.py), so the
application's records and gunicorn's access and error lines share one shape:

    {"time": "2026-11-27T10:00:00.123Z", "level": "INFO", "logger": "gunicorn.access",
     "message": "...", "method": "GET", "path": "/resolutions/", "status": 200, ...}
"""

import datetime as dt
import json
import logging
import os

# gunicorn passes its access-log atoms as the record's args; these become fields.
ACCESS_ATOMS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "s": "status",
    "B": "bytes",
    "a": "user_agent",
}


def log_format(debug=False):
    """ "json" or "plain": LOG_FORMAT if set, else plain under DEBUG and json otherwise."""
    value = os.environ.get("LOG_FORMAT", "").strip().lower()
    if value in ("json", "plain"):
        return value
    return "plain" if debug else "json"


class JSONFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            for atom, key in ACCESS_ATOMS.items():
                value = record.args.get(atom)
                if value not in (None, "-"):
                    entry[key] = int(value) if key == "status" and str(value).isdigit() else value
            if isinstance(record.args.get("D"), int):  # request time in microseconds
                entry["duration_ms"] = round(record.args["D"] / 1000, 1)
        status_code = getattr(record, "status_code", None)  # django.request and django.server
        if isinstance(status_code, int):
            entry["status"] = status_code
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            entry.setdefault("method", request.method)
            entry.setdefault("path", getattr(request, "path", None))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
