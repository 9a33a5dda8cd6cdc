"""``restore`` without ``--yes``: shows what it would replace, asks on a terminal, refuses without one."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from station_desktop.cli import main
from station_desktop.services import Service, open_store
from station_desktop.services.backups import backup, usb_backup
from station_desktop.store.backup import load_recovery_code, recovery_code_path
from tests.conftest import TODAY, make_id


class Terminal(io.StringIO):
    """What a person types at a terminal: stdin that says it is one."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def backed_up(tmp_path: Path, data_dir: Path, svc: Service, store) -> Path:
    """A station with one person in its backup and two in its database now."""
    svc.create("person", {"name": "张三丰", "id_number": make_id(seq=501), "categories": "退役士兵"})
    made = backup(store, tmp_path / "usb" / "b.sqlite3").path
    svc.create("person", {"name": "李四", "id_number": make_id(seq=502), "categories": "退役士兵"})
    store.close()
    return made


def restore(data_dir: Path, *args: str, stdin: io.StringIO, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", stdin)
    code = main(["--data-dir", str(data_dir), "restore", *args])
    out, err = capsys.readouterr()
    return code, out, err


def persons(data_dir: Path) -> list[str]:
    store = open_store(data_dir, daily_backup=False)
    try:
        return sorted(p["name"] for p in Service(store, today=TODAY).list("person"))
    finally:
        store.close()


def before_restore_copies(data_dir: Path) -> list[Path]:
    return list((data_dir / "backups").glob("before-restore-*"))


def test_without_a_terminal_restore_refuses_and_changes_nothing(data_dir, backed_up,
                                                               monkeypatch, capsys):
    before = (data_dir / "station.sqlite3").read_bytes()
    # "y" on a pipe is no answer: nobody saw the question.
    code, out, err = restore(data_dir, str(backed_up), stdin=io.StringIO("y\n"),
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == 1
    assert "--yes" in err and "没有终端" in err and "数据没有改动" in err
    assert "人员档案：备份 1 人；当前 2 人" in out  # what it would have replaced
    assert (data_dir / "station.sqlite3").read_bytes() == before
    assert before_restore_copies(data_dir) == []
    assert persons(data_dir) == ["张三丰", "李四"]


def test_restore_asks_at_a_terminal_and_a_no_changes_nothing(data_dir, backed_up, monkeypatch,
                                                            capsys):
    before = (data_dir / "station.sqlite3").read_bytes()
    code, out, err = restore(data_dir, str(backed_up), stdin=Terminal("n\n"),
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == 1 and "已取消" in err
    assert "东沟村退役军人服务站（420303100201）" in out
    assert "人员档案：备份 1 人；当前 2 人" in out and "确认恢复吗" in out
    assert (data_dir / "station.sqlite3").read_bytes() == before
    assert before_restore_copies(data_dir) == []

    code, out, err = restore(data_dir, str(backed_up), stdin=Terminal("y\n"),
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0, err
    assert "确认恢复吗" in out and f"已从 {backed_up} 恢复" in out
    assert persons(data_dir) == ["张三丰"]
    assert len(before_restore_copies(data_dir)) == 1


def test_with_json_the_question_goes_to_stderr(data_dir, backed_up, monkeypatch, capsys):
    import json

    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    code = main(["--data-dir", str(data_dir), "--json", "restore", str(backed_up)])
    out, err = capsys.readouterr()
    assert code == 0 and "确认恢复吗" in err
    assert json.loads(out)["counts"]["person"] == 1


def test_a_typed_recovery_code_is_kept_only_when_the_restore_goes_ahead(
        tmp_path, data_dir, svc, store, monkeypatch, capsys):
    svc.create("person", {"name": "张三丰", "id_number": make_id(seq=503), "categories": "退役士兵"})
    made = usb_backup(store, tmp_path / "usb")
    store.close()
    new_pc = tmp_path / "new-pc"
    args = (str(made.path), "--recovery-code", made.new_code)
    code, _out, err = restore(new_pc, *args, stdin=io.StringIO(""), monkeypatch=monkeypatch,
                              capsys=capsys)
    assert code == 1 and "--yes" in err
    assert not recovery_code_path(new_pc).exists()
    code, _out, err = restore(new_pc, *args, "--yes", stdin=io.StringIO(""),
                              monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0, err
    assert load_recovery_code(new_pc) == made.new_code
    assert persons(new_pc) == ["张三丰"]


def test_a_script_without_yes_is_refused(data_dir, backed_up):
    """The installed command in a script: stdin is not a terminal."""
    before = (data_dir / "station.sqlite3").read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "station_desktop", "--data-dir", str(data_dir), "restore",
         str(backed_up)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 1 and "--yes" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert (data_dir / "station.sqlite3").read_bytes() == before
