"""The run history: every apply run and every change it made, in SQLite, recorded as it happens."""

from netmox_cli.history.paths import history_path
from netmox_cli.history.recorder import HistoryRecorder, change_rows
from netmox_cli.history.store import ChangeRecord, HistoryStore, RunRecord, RunStart

__all__ = ["ChangeRecord", "HistoryRecorder", "HistoryStore", "RunRecord", "RunStart", "change_rows", "history_path"]
