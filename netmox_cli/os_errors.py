"""Words for an OSError about a path netmox must create (history database, lock file).

``strerror`` misleads in one common case: a path under a regular file fails with "File exists" or
"Not a directory"; the user needs to hear which file is in the way.
"""

from __future__ import annotations

from pathlib import Path


def describe_os_error(error: OSError) -> str:
    """``exc.strerror``, except where it misleads: a path under a regular file says so, not "File exists"."""
    if isinstance(error, FileExistsError | NotADirectoryError) and error.filename:
        blocker = next((p for p in [Path(error.filename), *Path(error.filename).parents] if p.is_file()), None)
        if blocker is not None:
            return f"{blocker} is a file, not a folder"
    return error.strerror or str(error)
