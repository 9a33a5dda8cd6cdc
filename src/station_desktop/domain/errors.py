"""Typed errors raised by the core.

Every error carries a stable ``code`` for programs and a Chinese ``message``
for the cadre that says what is wrong, plus an optional ``hint`` that says
what to do. The CLI prints ``message`` (and ``hint``) to stderr and exits 1;
the GUI shows them in a dialog.
"""

from __future__ import annotations

from typing import Any


class StationError(Exception):
    """Base class: input or state the program refuses, with a Chinese message."""

    code: str = "error"

    def __init__(self, message: str, *, hint: str = "", code: str | None = None,
                 field: str | None = None, **facts: Any):
        super().__init__(message)
        self.message = message
        self.hint = hint
        #: The form field the problem is about, when there is one.
        self.field = field
        if code is not None:
            self.code = code
        self.facts = facts

    def user_text(self) -> str:
        """The sentence shown to a person: what happened, then what to do."""
        return f"{self.message}{self.hint}" if self.hint else self.message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.user_text()


class ValidationError(StationError):
    """A field value is not acceptable. ``field`` names the field."""

    code = "invalid"

    def __init__(self, field: str, message: str, *, hint: str = "", **facts: Any):
        super().__init__(message, hint=hint, field=field, **facts)


class NotFoundError(StationError):
    code = "not_found"


class ConflictError(StationError):
    """The write would contradict existing data (duplicate ID number, ...)."""

    code = "conflict"


class Cancelled(StationError):
    """The person asked long work to stop; nothing was written."""

    code = "cancelled"


class StorageError(StationError):
    """The database file cannot be used as it is (damaged, foreign, too new)."""

    code = "storage"


def os_error_text(exc: OSError) -> str:
    """A file-system error in words a cadre can act on."""
    import errno

    where = f"“{exc.filename}”" if exc.filename else "文件"
    what = {
        errno.ENOENT: f"找不到{where}",
        errno.EACCES: f"没有权限读写{where}",
        errno.EPERM: f"没有权限读写{where}",
        errno.ENOSPC: f"写入{where}时磁盘（或U盘）已满",
        errno.EROFS: f"{where}所在的磁盘（或U盘）是只读的",
        errno.EISDIR: f"{where}是文件夹，这里需要一个文件",
        errno.ENOTDIR: f"{where}不是文件夹",
        errno.ENAMETOOLONG: f"{where}的名称太长",
        errno.EIO: f"读写{where}时磁盘（或U盘）出错",
        errno.EBUSY: f"{where}正被其他程序使用",
        errno.EEXIST: f"{where}已经存在",
        errno.ENOTEMPTY: f"{where}不是空文件夹",
        # The system's own text (strerror) is English: a cadre gets the number to pass on.
    }.get(exc.errno or 0, f"无法读写{where}（系统错误 {exc.errno or '未知'}）")
    return what + "。请检查路径是否正确、U盘是否插好、文件夹是否可写，然后重试。"
