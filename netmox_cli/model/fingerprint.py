"""The plan's ``basis``: a fingerprint of both sides' view of one object.

Applying a saved plan re-reads both sides and refuses any change whose object no longer has the
fingerprint it had when the plan was made. The fingerprint covers every modelled field, including
the side's own revision marker (Proxmox config digest, NetBox ``last_updated``).
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel


def fingerprint(netbox: BaseModel | None, proxmox: BaseModel | None) -> str:
    """Return ``sha256:<hex>`` over the canonical JSON of both sides' objects (``None`` if absent)."""
    payload = {
        "netbox": netbox.model_dump(mode="json") if netbox is not None else None,
        "proxmox": proxmox.model_dump(mode="json") if proxmox is not None else None,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]
