"""Logs: one line per request, with a request id, and nothing that names a child or a person.

The request line (`RequestLogMiddleware`), plain text by default, JSON lines with LOG_FORMAT=json:

    2026-12-03 18:01:02,345 INFO config.requests [4f1c…] GET /children/<uuid>/notes/ 200 12.3ms user=42

What may reach a log line, decided once here (README "Logs"):
- ids only: a user's id (never an email or name), a child's public id, a row's id, a route;
- a path only as its route, with the ids filled in (`/children/<uuid>/notes/7/`): other URL parts
  (slugs, tokens), the query string, form fields, headers and the user agent are never logged;
  a path no route matches is logged as `[unmatched path]`;
- an exception as its type and traceback frames (file, line, code), not its message: a database
  error's DETAIL carries the row's values. A few infrastructure errors keep their message
  (`KEEP_MESSAGE`: a refused connection says which server, never whose record);
- a model instance handed to a log call is written as `Child #12`, never `str(child)` (a name);
- anything that looks like an email address, or a query string, is replaced wherever it appears.

How that is guaranteed: every log record in the process is scrubbed as it is created (a log record
factory installed by `configure`, Django's LOGGING_CONFIG), so no handler — ours, pytest's
caplog, an error tracker's — ever sees the original message, arguments or traceback. `ScrubFilter`
on our handlers also scrubs text fields passed in `extra`. Our formatters write a fixed set of fields.
The scrubbing goes by type and shape, so a name passed as a plain string would get through: every
value our own code logs is on a reviewed list in tests/test_logs.py, which fails on a new one.

Health probes (config/health.py) answer before this middleware: a probe every second would be
86,400 lines a day; a failing check logs its own warning.
"""

import contextvars
import json
import logging
import logging.config
import re
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.signals import request_finished
from django.db import models
from django.http import HttpRequest, HttpResponse

REQUEST_LOGGER = "config.requests"
# An incoming X-Request-ID (from a proxy or load balancer) is kept when it is this shape; otherwise a new one.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
QUERY = re.compile(r"\?[^\s\"'<>]*")
CONVERTER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>")
UNMATCHED = "[unmatched path]"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
WITHHELD = "[message withheld: it may hold a record's data]"
# Exceptions whose messages describe infrastructure, not records.
KEEP_MESSAGE = frozenset(
    {
        "django.db.utils.InterfaceError",
        "django.core.exceptions.ImproperlyConfigured",
        "redis.exceptions.ConnectionError",
        "redis.exceptions.TimeoutError",
        "builtins.ConnectionRefusedError",
        "builtins.TimeoutError",
    }
)
# Standard LogRecord attributes; anything else on a record came in through `extra`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


@dataclass
class _Current:
    request_id: str
    request: HttpRequest
    extra: dict = field(default_factory=dict)


_current: contextvars.ContextVar[_Current | None] = contextvars.ContextVar("current_request", default=None)


def scrub_text(text: str) -> str:
    """`text` with email addresses and query strings replaced."""
    return QUERY.sub("?[query withheld]", EMAIL.sub("[email]", text))


def loggable_path(request: HttpRequest | None) -> str:
    """The request's route with its int and UUID arguments filled in; nothing a person typed."""
    if request is None:
        return UNMATCHED
    match = getattr(request, "resolver_match", None)
    if match is None:
        from django.conf import settings

        static = "/" + settings.STATIC_URL.lstrip("/")
        return request.path_info if request.path_info.startswith(static) else UNMATCHED

    def fill(found: re.Match) -> str:
        value = match.kwargs.get(found.group("name"))
        return str(value) if isinstance(value, int | uuid.UUID) else found.group(0)

    return "/" + CONVERTER.sub(fill, match.route or "")


def exception_name(error: BaseException) -> str:
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}"


def safe_message(error: BaseException) -> str:
    """The exception's message if its type is known to describe infrastructure only; otherwise withheld."""
    return scrub_text(str(error)) if exception_name(error) in KEEP_MESSAGE else WITHHELD


def safe_traceback(error: BaseException) -> str:
    """A traceback with every frame (file, line, code) and each exception's type, not its message."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    parts = []
    for position, item in enumerate(reversed(chain)):
        if position:
            parts.append("\nThe above exception led to the following one:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(item.__traceback__))
        parts.append(f"{exception_name(item)}: {safe_message(item)}")
    return "".join(parts)


def _safe_arg(value: object, logger_name: str, context: _Current | None) -> object:
    if isinstance(value, models.Model):
        return f"{type(value).__name__} #{value.pk}"
    if isinstance(value, HttpRequest):
        return f"{value.method} {loggable_path(value)}"
    if isinstance(value, str):
        if logger_name == "django.request" and value.startswith("/"):
            return loggable_path(context.request if context else None)
        if logger_name == "django.server":
            return value.split(" ", 1)[0] if value[:1].isalpha() else scrub_text(value)
        return scrub_text(value)
    if isinstance(value, int | float | uuid.UUID | type(None)):
        return value
    return scrub_text(str(value))


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    """Replace the record's message, arguments and traceback by their scrubbed text (once per record).

    Never raises: logging must not break a request. A record that cannot be scrubbed is withheld whole.
    """
    if getattr(record, "scrubbed", False):
        return record
    context = _current.get()
    try:
        _scrub(record, context)
    except Exception:  # noqa: BLE001 (see the docstring)
        record.msg, record.args, record.exc_text = "[log message withheld: it could not be scrubbed]", None, None
        record.exc_info = None
    if not hasattr(record, "request_id"):
        record.request_id = context.request_id if context else "-"
    record.scrubbed = True
    return record


def _scrub(record: logging.LogRecord, context: _Current | None) -> None:
    args = record.args
    if isinstance(args, dict):
        args = {key: _safe_arg(value, record.name, context) for key, value in args.items()}
    elif args:
        args = tuple(_safe_arg(value, record.name, context) for value in args)
    template = record.msg if isinstance(record.msg, str) else str(_safe_arg(record.msg, record.name, context))
    if record.name.startswith("django.security."):
        # Django writes the exception's text, which quotes a header the client sent (Host, for one).
        template, args = f"{record.name.rsplit('.', 1)[-1]} (details withheld)", None
    elif isinstance(record.msg, BaseException):
        template = f"{exception_name(record.msg)}: {safe_message(record.msg)}"
    try:
        message = template % args if args else template
    except (TypeError, ValueError, KeyError):
        message = f"{template} (with arguments that did not fit it)"
    record.msg, record.args = scrub_text(message), None
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = safe_traceback(record.exc_info[1])


class ScrubFilter(logging.Filter):
    """On our handlers: scrub the record (if the factory has not) and every text field passed in `extra`."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str) and key != "request_id":
                setattr(record, key, scrub_text(value))
        return True


# Fields a request line carries besides its message, all ids or numbers.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id")


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request id] message`, then the (scrubbed) traceback if any."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, message, the request fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in REQUEST_FIELDS if hasattr(record, name)})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str)


def _scrubbing_factory(previous: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args, **kwargs) -> logging.LogRecord:
        return scrub_record(previous(*args, **kwargs))

    factory.scrubs = True  # type: ignore[attr-defined]
    return factory


def configure(logging_settings: dict) -> None:
    """Django's LOGGING_CONFIG: apply LOGGING, and scrub every log record from now on, whoever logs it."""
    logging.config.dictConfig(logging_settings)
    current = logging.getLogRecordFactory()
    if not getattr(current, "scrubs", False):
        logging.setLogRecordFactory(_scrubbing_factory(current))


class RequestLogMiddleware:
    """One line per request: request id, method, route with ids, status, duration and the user's id.

    Early in MIDDLEWARE (after the health probes), so it times the whole request and sees the final
    status. The request id comes from a well-formed incoming X-Request-ID or is made here, and goes
    back in the response's X-Request-ID header and on every log line written during the request.
    The user's id is read only if the session was already loaded by the time the response comes back
    (the session timeout middleware loads it for every page), so this adds no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.logger = logging.getLogger(REQUEST_LOGGER)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        # Left set when the response goes back: Django logs a 4xx or 5xx after the last middleware, and
        # that line carries this request's id and route too. Cleared when the response is closed.
        _current.set(_Current(request_id, request))
        method = request.method if request.method in METHODS else "OTHER"
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        path = loggable_path(request)
        self.logger.log(
            logging.ERROR if response.status_code >= 500 else logging.INFO,
            "%s %s %s %sms user=%s",
            method,
            path,
            response.status_code,
            duration_ms,
            user_id if user_id is not None else "-",
            extra={
                "method": method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user_id,
            },
        )
        return response


def _forget_request(**kwargs) -> None:
    _current.set(None)


request_finished.connect(_forget_request, dispatch_uid="config.logs.forget_request")


def current_request_id() -> str | None:
    """The id of the request being served in this thread, if any (for the error tracker's events)."""
    context = _current.get()
    return context.request_id if context else None


def current_path() -> str:
    context = _current.get()
    return loggable_path(context.request) if context else UNMATCHED
