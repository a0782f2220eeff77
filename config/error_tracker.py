"""Errors to an error tracker (Sentry's SDK, pinned in requirements.txt), only when SENTRY_DSN is set.

Off by default, and not even imported then (config/settings.py imports this module only with a DSN).
An event leaves the server with what a log line may hold (config/logs.py) and no more:
`send_default_pii=False` (no user, cookies, client address), no local variables, no request body,
and `scrub_event` before sending: the request reduced to its method and route with ids, exception
messages withheld as in the logs, breadcrumbs without their data, email addresses and query
strings replaced anywhere in the event, and the request id as a tag to find the matching log lines.
"""

from typing import Any

import sentry_sdk

from config import logs


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return logs.scrub_text(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's before_send: the event with nothing but ids, types, routes and code in it."""
    if "request" in event:
        event["request"] = {"method": event["request"].get("method"), "url": logs.current_path()}
    for value in (event.get("exception") or {}).get("values", []):
        name = f"{value.get('module') or 'builtins'}.{value.get('type')}"
        value["value"] = logs.scrub_text(value.get("value") or "") if name in logs.KEEP_MESSAGE else logs.WITHHELD
        for frame in (value.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    if "logentry" in event:
        event["logentry"] = {"message": logs.scrub_text(str(event["logentry"].get("message", "")))}
    event.pop("user", None)
    event.pop("extra", None)
    crumbs = event.get("breadcrumbs")
    if isinstance(crumbs, dict):
        crumbs["values"] = [scrub_breadcrumb(crumb) for crumb in crumbs.get("values", [])]
    request_id = logs.current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return _scrub(event)


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    """Sentry's before_breadcrumb: keep its category and scrubbed message, drop its data (SQL, URLs)."""
    crumb.pop("data", None)
    if "message" in crumb:
        crumb["message"] = logs.scrub_text(str(crumb["message"]))
    return crumb


def start(dsn: str, *, environment: str, **options: Any) -> None:
    """Start the SDK; `options` are passed on (the tests hand it a transport that keeps events in memory)."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        **options,
    )
