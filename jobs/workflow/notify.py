"""Job notifications locally: webhook destinations POSTed as JSON, e-mail addresses written as a log line."""

import json
import urllib.request

from medialake.log import get_logger, log_event

log = get_logger("medialake.jobs")


def notify(event: str, settings: dict, run: dict, webhooks: dict[str, str]) -> None:
    """Send the job's on_start / on_success / on_failure notifications; a failed delivery is logged, never fatal."""
    for address in settings.get("email_notifications", {}).get(event, []):
        log_event(log, "notification (e-mail is not sent locally)", event=event, to=address, job_run_id=run["run_id"])
    for destination in settings.get("webhook_notifications", {}).get(event, []):
        url = webhooks.get(destination.get("id", ""))
        if not url:
            log_event(log, "notification (no local URL for this webhook destination)", event=event, destination=destination)
            continue
        post(url, payload(event, run), event)


def payload(event: str, run: dict) -> dict:
    """The body sent to a webhook, like Databricks' job notification payload."""
    return {
        "event_type": f"jobs.{event}",
        "job": {"job_id": run["job_id"], "name": run["run_name"]},
        "run": {"run_id": run["run_id"], "state": run["state"]},
    }


def post(url: str, body: dict, event: str) -> None:
    """POST JSON with a short timeout."""
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            log_event(log, "webhook notified", event=event, url=url, status=response.status)
    except OSError as error:
        log.warning("webhook failed", extra={"fields": {"event": event, "url": url, "error": str(error)}})
