import errno

from station_desktop.domain.errors import os_error_text


def test_file_system_errors_read_as_what_to_do():
    missing = os_error_text(FileNotFoundError(errno.ENOENT, "No such file", "E:/数据包.sdbundle"))
    assert missing.startswith("找不到“E:/数据包.sdbundle”") and "U盘是否插好" in missing
    assert "已满" in os_error_text(OSError(errno.ENOSPC, "No space left", "E:/x"))
    assert "只读" in os_error_text(OSError(errno.EROFS, "Read-only", "E:/x"))
    assert "出错" in os_error_text(OSError(errno.EIO, "Input/output error", "E:/x"))
    # No English system text inside the Chinese sentence: the error number instead.
    other = os_error_text(OSError(errno.ETXTBSY, "Text file busy", "E:/x"))
    assert "无法读写“E:/x”" in other and f"系统错误 {errno.ETXTBSY}" in other
    assert "busy" not in other
