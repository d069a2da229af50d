"""A ``notify`` difference as a NetBox journal entry (kind ``warning``) on the object it concerns, so that
the person who documents the VM sees, on its page, what differs and what netmox would do about it."""

from __future__ import annotations

from netmox_cli.errors import RemoteError
from netmox_cli.model.state import Guest, Node, ObjectKind
from netmox_cli.providers.netbox.client import NetboxClient

OBJECT_TYPES = {ObjectKind.NODE: "dcim.device"}
GUEST_TYPE = "virtualization.virtualmachine"


def write_note(client: NetboxClient, kind: ObjectKind, obj: Node | Guest, text: str) -> None:
    """Create one journal entry of kind ``warning`` on ``obj`` (a device or a virtual machine)."""
    what = f"device {obj.name}" if kind is ObjectKind.NODE else f"VM {obj.name}"
    if obj.remote_id is None:
        raise RemoteError(f"{what} has no NetBox id; re-run `netmox plan`")
    with client.guard(f"journal entry on {what}"):
        client.api.extras.journal_entries.create(
            assigned_object_type=OBJECT_TYPES.get(kind, GUEST_TYPE),
            assigned_object_id=obj.remote_id,
            kind="warning",
            comments=text,
        )
