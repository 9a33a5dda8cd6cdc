"""``--self-test`` end to end, its failure paths, and (when PyInstaller is installed) the frozen build."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from station_desktop import selftest

ROOT = Path(__file__).resolve().parents[1]


def isolated_env(tmp_path: Path) -> dict[str, str]:
    """Offscreen, UTF-8, and XDG folders of its own: the user's settings stay untouched."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / var.lower())
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    return env


def test_self_test_passes_and_cleans_up(tmp_path: Path):
    env = isolated_env(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "station_desktop", "--self-test"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1].startswith("自检通过")
    for label, _step in selftest.STEPS:
        assert any(label in line and line.startswith(("[通过]", "[跳过]")) for line in lines), label
    assert "[通过] 打开主窗口并显示首页" in proc.stdout
    # The temporary station is gone, and nothing was written to the user's folders.
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not (tmp_path / "xdg_data_home" / "station-desktop" / "station.sqlite3").exists()


def test_self_test_json_reports_every_step(tmp_path: Path):
    proc = subprocess.run([sys.executable, "-m", "station_desktop", "--self-test", "--json"],
                          env=isolated_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["ok"] is True and report["frozen"] is False
    assert [s["label"] for s in report["steps"]] == [label for label, _ in selftest.STEPS]
    assert 0 < report["home_seconds"] < report["total_seconds"]


def _run(steps, monkeypatch, **kw) -> tuple[int, str, str]:
    monkeypatch.setattr(selftest, "STEPS", steps)
    out, err = io.StringIO(), io.StringIO()
    code = selftest.run_self_test(out=out, err=err, gui=False, **kw)
    return code, out.getvalue(), err.getvalue()


def test_a_failing_step_stops_the_test_with_a_chinese_message(monkeypatch):
    seen: list[Path] = []

    def first(ws: selftest.Workspace) -> str:
        seen.append(ws.root)
        return "好"

    def broken(ws: selftest.Workspace) -> str:
        raise selftest.SelfTestFailure("花名册不完整。", hint="请重新安装程序。")

    def never(ws: selftest.Workspace) -> str:  # pragma: no cover - must not run
        raise AssertionError("ran after a failure")

    code, out, err = _run([("第一步", first), ("打印", broken), ("之后", never)], monkeypatch)
    assert code == 1
    assert "[通过] 第一步：好" in out and "[失败] 打印：花名册不完整。请重新安装程序。" in out
    assert "自检未通过：打印失败。" in err and "之后" not in out
    assert not seen[0].exists()


def test_an_unexpected_error_is_reported_not_raised(monkeypatch):
    def crash(ws: selftest.Workspace) -> str:
        raise KeyError("font")

    code, out, err = _run([("字体", crash)], monkeypatch)
    assert code == 1 and "[失败] 字体：KeyError" in out and "Traceback" in err


def test_a_skipped_step_does_not_fail(monkeypatch):
    def skip(ws: selftest.Workspace) -> str:
        raise selftest.Skipped("本版本没有")

    code, out, _err = _run([("可选", skip)], monkeypatch)
    assert code == 0 and "[跳过] 可选：本版本没有" in out


def test_keep_leaves_the_temporary_station(monkeypatch):
    roots: list[Path] = []
    code, _out, _err = _run([("记下", lambda ws: roots.append(ws.root) or "ok")], monkeypatch,
                            keep=True)
    assert code == 0 and roots[0].is_dir()
    import shutil

    shutil.rmtree(roots[0])


def test_watchdog_ends_a_hanging_self_test(tmp_path: Path):
    code = ("import sys, time\n"
            "from station_desktop import selftest as s\n"
            "s.STEPS[:] = [('卡住', lambda ws: time.sleep(30))]\n"
            "sys.exit(s.run_self_test(timeout=0.5, gui=False))\n")
    proc = subprocess.run([sys.executable, "-c", code], env=isolated_env(tmp_path),
                          capture_output=True, text=True, timeout=20)
    assert proc.returncode == 1 and "自检超时" in proc.stderr


def test_read_back_pdf_refuses_a_truncated_file(tmp_path: Path):
    from station_desktop.reports.forms import print_form

    pdf = tmp_path / "form.pdf"
    print_form("visit", pdf)
    assert selftest.read_back_pdf(pdf) == pdf.stat().st_size
    data = pdf.read_bytes()
    pdf.write_bytes(data[: len(data) // 2])
    with pytest.raises(selftest.SelfTestFailure, match="不完整"):
        selftest.read_back_pdf(pdf)
    pdf.write_bytes(b"PK\x03\x04" + data[4:])
    with pytest.raises(selftest.SelfTestFailure, match="不是 PDF"):
        selftest.read_back_pdf(pdf)


@pytest.mark.slow
def test_frozen_program_passes_its_self_test(tmp_path: Path):
    """Build with the real spec (about a minute) and run the frozen binary's self-test."""
    pytest.importorskip("PyInstaller")
    sys.path.insert(0, str(ROOT / "installer"))
    try:
        import build
    finally:
        sys.path.remove(str(ROOT / "installer"))
    result = build.build(archive=False, quiet=True, dist=tmp_path / "dist",
                         work=tmp_path / "work")
    folder = Path(result.folder)
    qt = folder / "_internal" / "PySide6" / "Qt"
    translations = sorted(p.name for p in (qt / "translations").iterdir())
    assert translations == ["qt_zh_CN.qm", "qtbase_zh_CN.qm"]
    assert not list(folder.rglob("*Qt6Qml*")) and not list(folder.rglob("*Qt6Quick*"))
    assert not (qt / "plugins" / "platformthemes").exists()
    assert (folder / "_internal" / "station_desktop" / "store" / "migrations" / "env.py").exists()
    proc = subprocess.run([result.executable, "--self-test", "--json"],
                          env=isolated_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["ok"] and report["frozen"] and report["version"] == result.version
