"""One error type per failure class.

Every error netmox expects carries a one-line ``message`` that says what is wrong and a ``hint`` that
says what to do. The CLI turns any ``NetmoxError`` into that one line on stderr and its ``exit_code``;
a traceback is shown only with ``--debug``. Providers translate library exceptions (requests,
proxmoxer, pynetbox) into these types at their edge, by status code and exception class, never by
comparing message strings of other libraries where a structured field exists.
"""

from __future__ import annotations


class NetmoxError(Exception):
    """Base of every expected failure."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


class ConfigError(NetmoxError):
    """The config file (or a plan/snapshot/policy file) is missing, malformed or invalid."""


class ConnectionFailed(NetmoxError):
    """A server could not be reached: refused, DNS, timeout, 5xx after retries."""


class TLSError(ConnectionFailed):
    """TLS verification failed."""


class AuthenticationFailed(NetmoxError):
    """The server rejected the credentials (401)."""


class PermissionDenied(NetmoxError):
    """The credentials are valid but lack a permission (403)."""


class NotInitialized(NetmoxError):
    """NetBox lacks what netmox needs: its custom fields, or the connection's cluster (`netmox init`
    creates both)."""


class InvalidResponse(NetmoxError):
    """A server answered, but not with its API's expected JSON (a proxy's login page, ``{"data": null}``,
    truncated or wrong-shape JSON). Never read as "no objects": the connection is not planned."""


class HistoryError(NetmoxError):
    """The history database cannot be used: not netmox's, from a newer netmox, not SQLite, not writable."""


class RemoteError(NetmoxError):
    """The server refused a request for a reason of its own (validation error, failed task …)."""


class StaleError(NetmoxError):
    """The object changed since the plan was made."""


class ConflictError(NetmoxError):
    """The write would collide with an existing object (duplicate name, duplicate VMID …)."""


class LockTimeout(NetmoxError):
    """Another netmox run holds the connection's lock."""


class Aborted(NetmoxError):
    """The user declined the confirmation."""

    exit_code = 1


class Interrupted(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so both end a run the same way: the history run is
    marked ``interrupted``, the locks are released, and the exit code is 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
