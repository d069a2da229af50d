"""What ``netmox init --webhook URL`` sets up in NetBox for ``netmox watch``: a webhook that POSTs to URL,
signed with the ``[watch]`` secret, and an event rule that fires it on every create, update and delete of
the object types watch maps (``watch/events.py``). Found by name and brought to the wanted values, so a
second run changes nothing. Messages name the fields changed, never the secret's value."""

from __future__ import annotations

from typing import Any

from netmox_cli.providers.netbox.client import NetboxClient

EVENT_TYPES = ("object_created", "object_updated", "object_deleted")
NAME_LIMIT = 150  # NetBox's name length for webhooks and event rules


def object_name(url: str) -> str:
    return f"netmox watch {url}"[:NAME_LIMIT]


def webhook_fields(url: str, secret: str) -> dict[str, Any]:
    return {
        "payload_url": url,
        "http_method": "POST",
        "http_content_type": "application/json",
        "additional_headers": "",
        "body_template": "",  # NetBox's default body: the one watch parses
        "secret": secret,
        "ssl_verification": True,
    }


def rule_fields(object_types: tuple[str, ...], webhook_id: int) -> dict[str, Any]:
    return {
        "object_types": sorted(object_types),
        "event_types": sorted(EVENT_TYPES),
        "action_type": "webhook",
        "action_object_type": "extras.webhook",
        "action_object_id": webhook_id,
        "enabled": True,
    }


def _plain(value: Any) -> Any:
    """A record's value as the API takes it back (choices as their value, lists order-free)."""
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    if isinstance(value, list):
        return sorted(_plain(v) for v in value)
    return value


def _ensure(endpoint: Any, name: str, wanted: dict[str, Any], what: str) -> tuple[Any, str | None]:
    """The object named ``name`` with ``wanted`` values; the line saying what was done, or None."""
    record = endpoint.get(name=name)
    if record is None:
        return endpoint.create(name=name, **wanted), f"created {what} {name!r}"
    current = dict(record)
    changed = {key: value for key, value in wanted.items() if _plain(current.get(key)) != _plain(value)}
    if not changed:
        return record, None
    record.update(changed)
    return record, f"updated {what} {name!r} ({', '.join(sorted(changed))})"


def ensure_webhook(client: NetboxClient, url: str, secret: str, object_types: tuple[str, ...]) -> list[str]:
    """Create or correct the webhook and its event rule; one line per thing done (empty: all in place)."""
    name = object_name(url)
    done: list[str] = []
    with client.guard("webhook"):
        webhook, line = _ensure(client.api.extras.webhooks, name, webhook_fields(url, secret), "webhook")
        done += [line] if line else []
    with client.guard("event rule"):
        _, line = _ensure(client.api.extras.event_rules, name, rule_fields(object_types, webhook.id), "event rule")
        done += [line] if line else []
    return done
