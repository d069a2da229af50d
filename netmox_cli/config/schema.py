"""The shape of ``netmox.toml``, validated with pydantic.

Secrets are ``SecretStr`` so that no repr, log line or plan can show them, cleaned of the whitespace a
file adds (config/secrets.py); any string value may be a ``${ENV_VAR}`` reference, resolved by the
loader before validation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, field_validator, model_validator

from netmox_cli.config.vetting import check_url, clean_secret
from netmox_cli.model.plan import DEFAULT_FILL_GAPS, PropertyRule
from netmox_cli.model.state import Side

MatrixAction = Literal["update-netbox", "update-proxmox", "ignore", "notify"]
MatrixIssue = Literal["netbox-only", "proxmox-only", "mismatch"]
MatrixKind = Literal["node", "qemu", "lxc"]


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _seconds(value: object) -> object:
    """``"7d"`` → 604800; plain numbers are seconds. Anything else is left for pydantic to reject."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text[-1:] in _UNITS and text[:-1].isdigit():
            return int(text[:-1]) * _UNITS[text[-1]]
        if text.isdigit():
            return int(text)
        raise ValueError(f"{value!r} is not a duration: write seconds, or a number with s, m, h, d or w (e.g. '7d')")
    return value


Duration = Annotated[int, BeforeValidator(_seconds), Field(ge=0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PolicyConfig(_Section):
    """How differences are resolved. ``--prefer``/``--allow-delete`` on the command line win."""

    prefer: Side | None = Field(
        default=None, description="Which side wins by default; none: every difference is skipped."
    )
    allow_delete: bool = False
    allow_stop: bool = Field(
        default=False, description="Hard-stop a guest whose shutdown timed out, or that must stop before delete."
    )
    shutdown_timeout: int = Field(default=120, ge=1)
    rename_duplicates: bool = Field(
        default=False,
        description="Create a NetBox VM whose name is taken in the cluster as '<name>-<vmid>' (else: a conflict).",
    )
    max_deletes: int = Field(
        default=10,
        ge=0,
        description="More deletes than this in one connection in one run turns all of them into conflicts.",
    )
    delete_after: Duration = Field(
        default=0,
        description="Seconds (or '7d', '12h', '30m') an object must have been one-sided in every plan before it "
        "is deleted; 0 deletes at once.",
    )
    matrix: dict[MatrixKind, dict[MatrixIssue, MatrixAction]] = Field(
        default_factory=dict,
        description="Per kind and issue: update-netbox, update-proxmox, ignore, or notify (report to a person "
        "what netmox would do instead of doing it).",
    )
    properties: dict[str, PropertyRule] = Field(
        default_factory=dict,
        description="Per property of mismatched objects: netbox->proxmox, proxmox->netbox, skip, or notify.",
    )
    fill_gaps: list[str] = Field(
        default_factory=lambda: list(DEFAULT_FILL_GAPS),
        description="Values Proxmox VE has and NetBox leaves blank ('<property>.<field>' or '<property>', e.g. "
        "'interfaces.mac', 'disks.storage', 'cpu') that are written to NetBox whatever the preference; "
        "[] turns filling off.",
    )

    def merged(self, other: PolicyConfig) -> PolicyConfig:
        """This policy with every field that ``other`` sets explicitly taking precedence."""
        data = self.model_dump()
        for key in other.model_fields_set:
            value = getattr(other, key)
            if key in ("matrix", "properties"):
                merged = dict(data[key])
                for sub_key, sub_value in (value or {}).items():
                    merged[sub_key] = {**merged.get(sub_key, {}), **sub_value} if key == "matrix" else sub_value
                data[key] = merged
            else:
                data[key] = value
        return PolicyConfig.model_validate(data)


class FileSide(_Section):
    """A side read from (and written to) a JSON snapshot file (docs/snapshot-format.md)."""

    type: Literal["file"]
    path: Path


class NetboxDefaults(_Section):
    """Values for objects netmox creates on NetBox."""

    site: str | None = None
    device_role: str | None = None
    device_type: str | None = None
    tenant: str | None = None
    platforms: dict[str, str] = Field(
        default_factory=dict,
        description="Proxmox ostype -> NetBox platform name; merged over the built-in table.",
    )


class NetboxSide(_Section):
    type: Literal["netbox"]
    url: str | None = Field(default=None, description="Defaults to $NETBOX_URL.")
    token: SecretStr | None = Field(default=None, description="Defaults to $NETBOX_TOKEN.")
    verify_ssl: bool = True
    ca_bundle: Path | None = None
    timeout: float = 30.0
    page_size: int = Field(default=1000, ge=1)
    chunk_size: int = Field(
        default=200, ge=1, le=1000, description="Objects per bulk write request; 1 writes one object per request."
    )
    journal: bool = True
    defaults: NetboxDefaults = Field(default_factory=NetboxDefaults)

    @field_validator("token", mode="before")
    @classmethod
    def _clean_token(cls, value: object) -> object:
        return clean_secret(value)

    @field_validator("url", mode="before")
    @classmethod
    def _no_credentials_in_url(cls, value: object) -> object:
        return check_url(value)


class ProxmoxDefaults(_Section):
    """Values for guests netmox creates on Proxmox VE."""

    storage: str | None = None
    bridge: str = "vmbr0"
    lxc_ostemplate: str | None = None
    qemu_ostype: str = "l26"


def check_host(value: str) -> str:
    """A Proxmox VE ``host``: ``name``, ``name:port``, ``[v6]:port`` or ``https://`` plus one of those.

    Anything else is refused at load time, naming the key, rather than guessed at (``pve:notaport`` once
    meant port 8006, ``http://pve`` an "Invalid IPv6 URL" deep in requests).
    """
    host = value.strip()
    scheme, sep, rest = host.partition("://")
    if sep:
        if scheme.lower() != "https":
            raise ValueError(f"{scheme}:// is not supported: Proxmox VE's API is HTTPS only; use https:// or no scheme")
        host = rest.rstrip("/")
    if not host or "/" in host:
        raise ValueError(f"expected a host name or address with an optional :port, not {value!r}")
    if host.startswith("["):
        name, closed, port = host[1:].partition("]")
        if not closed or (port and not port.startswith(":")):
            raise ValueError(f"expected [IPv6 address]:port, not {value!r}")
        port = port[1:] if port else ""
    elif host.count(":") == 1:
        name, port = host.split(":")
    else:  # a name, or a bare IPv6 address
        name, port = host, ""
    if not name:
        raise ValueError(f"no host name in {value!r}")
    if host.count(":") == 1 or host.startswith("["):
        if port and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
            raise ValueError(f"port {port!r} is not a number from 1 to 65535")
        if not port and ":" in host.removeprefix("[").split("]")[-1]:
            raise ValueError(f"no port after ':' in {value!r}")
    return value


class ProxmoxSide(_Section):
    type: Literal["proxmox"]
    host: str = Field(description="Host name or address, optionally with :port (default 8006).")
    user: str = Field(description="user@realm that owns the API token.")
    token_name: str
    token_value: SecretStr
    verify_ssl: bool = True
    ca_bundle: Path | None = None
    timeout: float = 30.0
    workers: int = Field(default=8, ge=1, le=64)
    include_templates: bool = False
    guest_agent: bool = Field(
        default=True, description="Read QEMU IP addresses from the guest agent (one request per running VM)."
    )
    task_timeout: float = 600.0
    defaults: ProxmoxDefaults = Field(default_factory=ProxmoxDefaults)

    @field_validator("token_value", mode="before")
    @classmethod
    def _clean_token_value(cls, value: object) -> object:
        return clean_secret(value)

    @field_validator("host")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        if "@" in value:
            raise ValueError("put the token in proxmox.token_value, not in the host")
        return check_host(value)

    @field_validator("user")
    @classmethod
    def _user_has_realm(cls, value: str) -> str:
        if "@" not in value or "!" in value:
            raise ValueError("expected user@realm, e.g. 'root@pam' (the token id goes in token_name)")
        return value


NetboxSource = Annotated[FileSide | NetboxSide, Field(discriminator="type")]
ProxmoxSource = Annotated[FileSide | ProxmoxSide, Field(discriminator="type")]


class ConnectionConfig(_Section):
    """One NetBox cluster paired with one Proxmox VE cluster."""

    cluster: str | None = Field(default=None, description="The NetBox cluster name; defaults to the connection name.")
    netbox: NetboxSource
    proxmox: ProxmoxSource

    @property
    def netbox_cluster(self) -> str:
        assert self.cluster is not None  # set by NetmoxConfig
        return self.cluster


def check_listen(value: str) -> str:
    """``host:port`` (``[v6]:port`` for IPv6) that ``netmox watch`` binds; refused at load time otherwise."""
    host, sep, port = value.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not (port.isascii() and port.isdigit() and 0 <= int(port) <= 65535):
        raise ValueError(f"expected host:port (e.g. '127.0.0.1:8787'), not {value!r}")
    return value.strip()


class WatchConfig(_Section):
    """``netmox watch``: where NetBox's webhooks arrive, their secret, and how often to reconcile everything."""

    listen: str = Field(default="127.0.0.1:8787", description="host:port to serve the webhook, /healthz, /metrics.")
    secret: SecretStr | None = Field(
        default=None, description="The NetBox webhook's secret; requests not signed with it are refused (403)."
    )
    interval: Duration = Field(default=900, description="Seconds (or '15m') between full reconciles; 0: never.")
    debounce: float = Field(default=2.0, ge=0, le=300, description="Seconds to gather events for one object.")

    @field_validator("secret", mode="before")
    @classmethod
    def _clean_secret(cls, value: object) -> object:
        return clean_secret(value)

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        return check_listen(value)


class NotifyConfig(_Section):
    """Where ``notify`` differences are reported besides the NetBox journal: one JSON POST per run."""

    url: SecretStr | None = Field(
        default=None,
        description="http(s) URL that gets the POST; it may hold a token, so it is treated as a secret.",
    )
    ca_bundle: Path | None = Field(default=None, description="CA certificates for the URL (TLS is always verified).")
    timeout: float = Field(default=10.0, gt=0)

    @field_validator("url", mode="before")
    @classmethod
    def _http_url(cls, value: object) -> object:
        value = clean_secret(value)
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str) and not text.lower().startswith(("https://", "http://")):
            raise ValueError("expected an https:// (or http://) URL")
        return value


class NetmoxConfig(_Section):
    history: Path | None = None
    lock_dir: Path | None = None
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    watch: WatchConfig = Field(default_factory=WatchConfig)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    connections: dict[str, ConnectionConfig]

    @model_validator(mode="after")
    def _default_cluster_names(self) -> NetmoxConfig:
        if not self.connections:
            raise ValueError("at least one [connections.NAME] table is needed")
        for name, connection in self.connections.items():
            if connection.cluster is None:
                connection.cluster = name
        return self
