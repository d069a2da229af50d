"""``netmox watch``: serve NetBox's webhooks and turn each change into a scoped plan and apply; reconcile every
connection periodically (netmox_cli/watch/). Runs in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging

from netmox_cli.commands import options
from netmox_cli.commands._common import build_policy, load, lock_dir
from netmox_cli.engine.session import select_connections
from netmox_cli.errors import ConfigError
from netmox_cli.history import history_path
from netmox_cli.redact import StderrHandler
from netmox_cli.watch.lookup import CachedLookup, NetboxLookup
from netmox_cli.watch.loop import serve
from netmox_cli.watch.runner import Runner

SECRET_HINT = 'set [watch] secret = "${NETMOX_WEBHOOK_SECRET}" in netmox.toml and export it'


def log_to_stderr() -> None:
    """Watch's own lines, timestamped, at INFO (secrets masked like everything netmox writes)."""
    logger = logging.getLogger("netmox_cli.watch")
    if not any(isinstance(handler, StderrHandler) for handler in logger.handlers):
        handler = StderrHandler(logging.DEBUG)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
        logger.addHandler(handler)
    logger.propagate = False
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.DEBUG if logging.getLogger("netmox_cli").level == logging.DEBUG else logging.INFO)


def command(
    config: options.ConfigOption = None,
    connection: options.ConnectionOption = None,
    prefer: options.PreferOption = None,
    allow_delete: options.AllowDeleteOption = False,
    policy_file: options.PolicyOption = None,
    max_deletes: options.MaxDeletesOption = None,
    history: options.HistoryOption = None,
) -> None:
    """Apply NetBox changes as they happen (webhooks), and reconcile everything every [watch] interval."""
    cfg = load(config)
    if cfg.watch.secret is None:
        raise ConfigError("[watch] secret is not set: netmox watch refuses unsigned webhooks", SECRET_HINT)
    policy = build_policy(cfg, policy_file, prefer, allow_delete, max_deletes)
    names = select_connections(cfg, connection)
    cfg = cfg.model_copy(update={"connections": {name: cfg.connections[name] for name in names}})
    log_to_stderr()
    runner = Runner(cfg, policy, history_path(history, cfg.history), lock_dir(cfg))
    lookup = NetboxLookup(cfg)
    try:
        serve(cfg, runner.run, CachedLookup(lookup))
    finally:
        lookup.close()
