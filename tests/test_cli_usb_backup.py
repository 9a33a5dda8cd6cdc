"""backup/restore from the command line with the encrypted USB format, on a new PC too."""

from __future__ import annotations

import json

from tests.conftest import make_id
from tests.test_cli import run, station  # noqa: F401 - the fixture


def test_encrypted_backup_restores_on_a_new_pc_with_the_code(station, tmp_path):  # noqa: F811
    run(station, "person", "add", "name=张三丰", f"id_number={make_id(seq=401)}",
        "categories=退役士兵")
    usb = tmp_path / "usb"
    usb.mkdir()
    made = json.loads(run(station, "--json", "backup", str(usb)).stdout)
    assert made["encrypted"] and made["path"].endswith(".stbak") and made["new_recovery_code"]
    sealed = made["path"]
    assert "张三丰".encode() not in open(sealed, "rb").read()
    # the plain format still exists for support, and says plainly it is not encrypted
    plain = run(station, "backup", str(tmp_path / "plain.sqlite3"))
    assert "没有加密" in plain.stderr

    new_pc = tmp_path / "new-pc"
    refused = run(new_pc, "restore", sealed, "--yes", check=1)
    assert "恢复码" in refused.stderr
    wrong = run(new_pc, "restore", sealed, "--yes", "--recovery-code",
                "0000-0000-0000-0000-0000-0000", check=1)
    assert "恢复码不对" in wrong.stderr
    run(new_pc, "restore", sealed, "--yes", "--recovery-code", made["new_recovery_code"])
    hits = json.loads(run(new_pc, "--json", "search", "zsf").stdout)
    assert [h["name"] for h in hits] == ["张三丰"]
    # the new PC keeps the code: its next USB backup needs no new one
    again = json.loads(run(new_pc, "--json", "backup", str(usb / "again.stbak")).stdout)
    assert again["new_recovery_code"] is None


def test_a_backup_that_cannot_be_written_is_a_chinese_sentence(station, tmp_path):  # noqa: F811
    """SQLite's own English ("unable to open database file") and a traceback used to reach
    the cadre; now it is what to do, exit 1, and no half-written copy is left."""
    for dest in ("/proc/x.sqlite3", str(tmp_path / "a-file" / "backup.sqlite3")):
        if dest.startswith(str(tmp_path)):
            (tmp_path / "a-file").write_text("not a folder")
        out = run(station, "backup", dest, check=1)
        assert "Traceback" not in out.stderr and "unable to open" not in out.stderr
        assert out.stderr.startswith("错误：") and "请检查" in out.stderr, out.stderr
    assert not list(tmp_path.glob("**/*.part"))
