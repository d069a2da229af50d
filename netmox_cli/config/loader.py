"""Finding, reading and validating ``netmox.toml``; every error names the file, the key and what is expected."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.config.secrets import apply_environment_defaults, register_secrets
from netmox_cli.errors import ConfigError
from netmox_cli.textfiles import not_utf8

ENV_CONFIG = "NETMOX_CONFIG"
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def find_config(explicit: Path | None) -> Path:
    """``--config``, else ``$NETMOX_CONFIG``, else ``./netmox.toml``."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(ENV_CONFIG)
    if from_env:
        return Path(from_env)
    return Path("netmox.toml")


CONFIG_HINT = "pass --config or set NETMOX_CONFIG"
POLICY_HINT = "check the --policy path"


def read_toml(path: Path, missing_hint: str = CONFIG_HINT) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file", missing_hint) from None
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc, "TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})", "fix the syntax") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


def expand_env(value: Any, path: Path, key: str = "") -> Any:
    """Replace ``${VAR}`` references in every string; a missing variable is an error naming the key."""
    if isinstance(value, dict):
        return {k: expand_env(v, path, f"{key}.{k}" if key else k) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_env(v, path, f"{key}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise ConfigError(f"{path}: {key} refers to ${{{name}}}, which is not set", f"export {name}")
            return os.environ[name]

        return _ENV_REFERENCE.sub(substitute, value)
    return value


def _key_path(raw: Any, loc: tuple[int | str, ...]) -> str:
    """The TOML key of a pydantic error location, without the union tags pydantic inserts."""
    parts: list[str] = []
    node = raw
    for part in loc:
        if isinstance(node, dict) and part not in node and node.get("type") == part:
            continue  # a discriminated union's tag, not a key
        if str(part).startswith("function-"):
            continue
        parts.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)


def describe_validation_error(path: Path, error: ValidationError, raw: Any = None) -> str:
    """The first problem of a pydantic error as ``file: key: expected …``."""
    first = error.errors()[0]
    location = _key_path(raw if raw is not None else {}, first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    elif first["type"] == "missing":
        message = "required key is missing"
    where = f"{location}: " if location else ""
    more = f" (and {len(error.errors()) - 1} more)" if len(error.errors()) > 1 else ""
    return f"{path}: {where}{message}{more}"


def _resolve_relative_paths(config: NetmoxConfig, base: Path) -> None:
    """Paths in the config are relative to the config file, as users expect."""
    for connection in config.connections.values():
        for side in (connection.netbox, connection.proxmox):
            for attribute in ("path", "ca_bundle"):
                value = getattr(side, attribute, None)
                if isinstance(value, Path) and not value.is_absolute():
                    setattr(side, attribute, base / value)
    for attribute in ("history", "lock_dir"):
        value = getattr(config, attribute)
        if value is not None:
            value = value.expanduser()
            setattr(config, attribute, value if value.is_absolute() else base / value)


def load_config(path: Path) -> NetmoxConfig:
    """The validated config, with environment defaults filled in and every secret known to the redactor."""
    raw = expand_env(read_toml(path), path)
    try:
        config = NetmoxConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc, raw), "see the config reference in the README") from None
    _resolve_relative_paths(config, path.parent)
    apply_environment_defaults(config, path)
    register_secrets(config)
    _check_ca_bundles(config, path)
    return config


def _check_ca_bundles(config: NetmoxConfig, path: Path) -> None:
    """A ``ca_bundle`` that is not there is the config's fault: say so now, naming the key."""
    for name, connection in config.connections.items():
        for side_name, side in (("netbox", connection.netbox), ("proxmox", connection.proxmox)):
            bundle = getattr(side, "ca_bundle", None)
            if bundle is not None and not bundle.exists():
                raise ConfigError(
                    f"{path}: connections.{name}.{side_name}.ca_bundle: {bundle} does not exist",
                    "point it at the PEM file of the CA that signed the server's certificate",
                )


def load_policy(path: Path) -> PolicyConfig:
    """A policy file: a ``[policy]`` table (as in netmox.toml) or the same keys at the top level."""
    raw = expand_env(read_toml(path, POLICY_HINT), path)
    table = raw.get("policy", raw)
    try:
        return PolicyConfig.model_validate(table)
    except ValidationError as exc:
        hint = "see the [policy] reference in the README"
        raise ConfigError(describe_validation_error(path, exc, table), hint) from None
