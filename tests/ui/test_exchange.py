"""数据交换 in the GUI, with real data dirs and real keys: a county and two villages.

Export from the village page writes a bundle; the county page imports a
folder and shows the report with the right counts (and prints it); a
conflict shows in the review list and each button closes it; a tampered
bundle is refused in Chinese and leaves the county's database file
unchanged; enrolment asks for the fingerprint check; the stations view and
the status bar.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from station_desktop.services import Service, open_store
from station_desktop.services.demo import generate_demo
from station_desktop.services.sync import enrolment
from station_desktop.services.sync.export import export_bundle
from station_desktop.services.sync.imports import import_bundle
from station_desktop.sync import enrol, review
from station_desktop.sync.keys import ensure_keys
from station_desktop.sync.peers import county_peer
from station_desktop.sync.verify import check_bundle
from station_desktop.ui.config import Config
from station_desktop.ui.context import AppContext
from station_desktop.ui.exchange_dialogs import (
    ExportDialog,
    FingerprintDialog,
    ImportReportDialog,
    counts_text,
)
from station_desktop.ui.exchange_views import STALE_BRUSH, value_text
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.pages.exchange import ExchangePage
from tests.conftest import TODAY
from tests.ui.helpers import click, wait

COUNTY, TOWN, VA, VB = "420303000000", "420303100000", "420303100201", "420303100202"


class Party:
    def __init__(self, root: Path, name: str, role: str, code: str, parent: str | None = None):
        self.dir = root / name
        self.store = open_store(self.dir)
        self.svc = Service(self.store, today=TODAY)
        self.svc.init_station(role=role, code=code, name=name, parent_code=parent,
                              operator_name="王建国")
        self.svc.operator_id = self.svc.list("operator")[0]["id"]
        self.keys = ensure_keys(self.dir)
        self.code = code

    def ctx(self, root: Path) -> AppContext:
        return AppContext(self.store, self.svc, Config(root / f"{self.code}.ini"))


@pytest.fixture
def world(tmp_path):
    county = Party(tmp_path, "城关县退役军人服务中心", "county", COUNTY)
    va = Party(tmp_path, "东沟村服务站", "village", VA, TOWN)
    vb = Party(tmp_path, "西岭村服务站", "village", VB, TOWN)
    generate_demo(va.store, station_code=VA, persons=12, seed=11)
    generate_demo(vb.store, station_code=VB, persons=8, seed=29)
    yield county, va, vb
    for p in (county, va, vb):
        p.store.close()


def enrol_all(county: Party, *villages: Party, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for v in villages:
        req = enrol.request(v.store, folder)
        _party, acc = enrolment.accept(county.store, req.read_bytes(), folder)
        enrolment.apply(v.store, acc.read_bytes())


def open_page(ctx: AppContext, qtbot) -> ExchangePage:
    page = ExchangePage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    page.refresh()
    wait(qtbot)
    return page


def export_to(qtbot, dialog: ExportDialog, folder: Path) -> list[Path]:
    """Choose ``folder`` in the export dialog, export, and return the bundles written there."""
    folder.mkdir(parents=True, exist_ok=True)
    dialog.set_folder(str(folder))
    click(qtbot, dialog.ok)
    wait(qtbot)
    return sorted(folder.glob("*.sdbundle"))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record_count(counts: dict[str, int]) -> int:
    return sum(n for k, n in counts.items() if not k.startswith("_"))


# --- export -----------------------------------------------------------------------------


def test_village_export_writes_a_bundle_for_its_county(world, tmp_path, qtbot):
    county, va, _vb = world
    enrol_all(county, va, folder=tmp_path / "enrol")
    page = open_page(va.ctx(tmp_path), qtbot)
    assert county.code in page.peer_label.text()
    assert page.pending_label.text() == f"{va.svc.pending_changes()} 条"
    click(qtbot, page.export_button)
    dialog = page.dialog
    assert isinstance(dialog, ExportDialog) and not dialog.county
    files = export_to(qtbot, dialog, tmp_path / "U盘")
    assert len(files) == 1 and files[0].name.startswith(f"{VA}-to-{COUNTY}-")
    checked = check_bundle(county.store, files[0])  # a real, valid bundle for the county
    assert record_count(checked.manifest["counts"]) > 12
    text = page.message.text()
    assert str(files[0]) in text and counts_text(checked.manifest["counts"]) in text
    assert "人员 12 条" in text


def test_export_without_enrolment_says_what_to_do(world, tmp_path, qtbot):
    _county, va, _vb = world
    page = open_page(va.ctx(tmp_path), qtbot)
    assert "尚未登记" in page.peer_label.text()
    click(qtbot, page.export_button)
    assert page.dialog is None and "生成登记申请" in page.message.text()


# --- import and its report -------------------------------------------------------------------


def test_county_imports_a_folder_and_reports_per_station(world, tmp_path, qtbot, monkeypatch,
                                                         qtmodeltester):
    from pypdf import PdfReader

    from station_desktop.ui.print_preview import PrintPreviewDialog, _open_previews

    county, va, vb = world
    enrol_all(county, va, vb, folder=tmp_path / "enrol")
    usb = tmp_path / "U盘"
    ea = export_bundle(va.store, COUNTY, usb)
    eb = export_bundle(vb.store, COUNTY, usb)
    page = open_page(county.ctx(tmp_path), qtbot)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(usb))
    click(qtbot, page.import_button)
    wait(qtbot)
    report = page.dialog
    assert isinstance(report, ImportReportDialog)
    qtmodeltester.check(report.model)
    rows = {r[1]: r for r in report.model.rows}
    assert set(rows) == {VA, VB}
    for code, e, name in ((VA, ea, "东沟村服务站"), (VB, eb, "西岭村服务站")):
        r = rows[code]
        assert r[0] == name and r[2] == 1  # one bundle
        assert r[3] == record_count(e.counts)  # everything is new at the county
        assert r[4] == 0 and r[7] == 0 and r[9] == 0 and r[10] == "无"
    assert "导入 2 个" in report.summary.text() and "拒收 0 个" in report.summary.text()
    assert f"新增记录 {record_count(ea.counts) + record_count(eb.counts)} 条" in report.summary.text()
    # the county now holds the villages' persons
    assert len(county.svc.list("person")) == 20
    # stations view and the fresh counts
    assert page.stations is not None
    wait(qtbot)
    srows = {r["code"]: r for r in page.stations.rows}
    assert srows[VA]["persons"] == 12 and srows[VB]["persons"] == 8
    assert not page.stations.model.stale  # both just sent a bundle

    # printed report: the same numbers on paper
    click(qtbot, report.print_button)
    wait(qtbot, timeout=30_000)
    preview = next(d for d in _open_previews if isinstance(d, PrintPreviewDialog)
               and d.isVisible())
    qtbot.addWidget(preview)
    text = "".join(p.extract_text() for p in PdfReader(preview.pdf).pages).replace(" ", "")
    assert "数据包导入报告" in text and "东沟村服务站" in text and "西岭村服务站" in text
    assert str(record_count(ea.counts)) in text
    preview.close()

    # the same stick again: duplicates, nothing new
    click(qtbot, page.import_button)
    wait(qtbot)
    again = page.dialog
    assert "已导入过 2 个" in again.summary.text()
    assert all(r[3] == 0 and r[8] == 1 for r in again.model.rows)


def test_empty_folder_says_no_bundle_found(world, tmp_path, qtbot):
    county, _va, _vb = world
    page = open_page(county.ctx(tmp_path), qtbot)
    empty = tmp_path / "空"
    empty.mkdir()
    page.run_import([empty])
    wait(qtbot)
    assert "没有找到数据包" in page.message.text()


def test_tampered_bundle_is_refused_in_chinese_and_county_db_unchanged(world, tmp_path, qtbot,
                                                                       monkeypatch):
    county, va, _vb = world
    enrol_all(county, va, folder=tmp_path / "enrol")
    usb = tmp_path / "U盘"
    e = export_bundle(va.store, COUNTY, usb)
    data = bytearray(e.path.read_bytes())
    i = data.index(b'"sender"') + 12  # inside the signed manifest
    data[i] ^= 0x01
    e.path.write_bytes(bytes(data))
    page = open_page(county.ctx(tmp_path), qtbot)
    wait(qtbot)
    county.store.close()  # every write flushed into the main file before the snapshot
    db = county.store.path
    before = sha(db)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(e.path)], ""))
    click(qtbot, page.import_files_button)
    wait(qtbot)
    report = page.dialog
    assert isinstance(report, ImportReportDialog)
    assert "拒收 1 个" in report.summary.text()
    row = report.model.rows[0]
    assert row[9] == 1 and row[3] == 0
    assert row[:2] == ("东沟村服务站", VA)  # named from the file name: whom to call
    details = report.details.toPlainText()
    assert "拒收" in details and ("签名" in details or "清单" in details or "损坏" in details)
    assert "quarantine" in details  # the file is kept with its reason
    county.store.close()
    assert sha(db) == before
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM person").fetchone()[0] == 0


# --- conflicts --------------------------------------------------------------------------------


def _make_conflicts(county: Party, va: Party, tmp_path: Path, n: int = 3) -> list[str]:
    """Both sides change the phone of ``n`` persons between two exchanges."""
    enrol_all(county, va, folder=tmp_path / "enrol")
    first = export_bundle(va.store, COUNTY, tmp_path / "up1")
    assert import_bundle(county.store, first.path).status == "applied"
    back = export_bundle(county.store, VA, tmp_path / "down1")
    assert import_bundle(va.store, back.path).status == "applied"
    ids = [p["id"] for p in va.svc.list("person", order_by="name")][:n]
    for k, pid in enumerate(ids):
        county.svc.update("person", pid, {"phone": f"1390000000{k}"})
    for k, pid in enumerate(ids):
        va.svc.update("person", pid, {"phone": f"1380000000{k}"})
    up = export_bundle(va.store, COUNTY, tmp_path / "up2")
    result = import_bundle(county.store, up.path)
    assert result.conflicts == n
    return ids


def test_conflicts_listed_and_each_button_resolves_one(world, tmp_path, qtbot):
    county, va, _vb = world
    ids = _make_conflicts(county, va, tmp_path)
    page = open_page(county.ctx(tmp_path), qtbot)
    panel = page.conflicts
    assert panel.model.rowCount() == 3 and page.conflicts_label.text() == "3 条"
    assert page.tabs.tabText(page.tabs.indexOf(panel)) == "冲突处理（3）"
    conflicts = review.conflicts(county.store)
    first = panel.model.rows[0]
    c0 = conflicts[0]
    assert first[1] == "联系电话" or first[1] == c0.field_label
    assert first[2] == value_text(c0.field, c0.kept) and first[4] == value_text(c0.field, c0.lost)
    assert {first[3], first[5]} <= {"本站", "东沟村服务站"}

    def phone(pid: str) -> str:
        return county.svc.get("person", pid)["phone"]

    by_row = {c.id: c for c in conflicts}
    # 保留现值
    c = by_row[panel.model.key_at(0)]
    kept = phone(c.row_id)
    click(qtbot, panel.keep_button)
    assert panel.model.rowCount() == 2 and phone(c.row_id) == kept
    # 采用落选值
    panel.view.selectRow(0)
    c = by_row[panel.model.key_at(0)]
    click(qtbot, panel.take_button)
    assert panel.model.rowCount() == 1 and phone(c.row_id) == c.lost
    # 修改…
    panel.view.selectRow(0)
    c = by_row[panel.model.key_at(0)]
    box = panel.edit_dialog()
    assert box is not None and box.textValue() == value_text(c.field, c.kept)
    box.setTextValue("13712345678")
    box.accept()
    wait(qtbot)
    assert panel.model.rowCount() == 0 and phone(c.row_id) == "13712345678"
    assert not panel.empty.isHidden() and page.conflicts_label.text() == "无"
    assert review.open_count(county.store) == 0
    assert {r.resolution for r in review.conflicts(county.store, open_only=False)} == \
        {"keep", "take", "edit"}
    assert set(ids) == {r.row_id for r in review.conflicts(county.store, open_only=False)}


def test_edit_with_a_bad_value_is_refused_and_stays_open(world, tmp_path, qtbot):
    county, va, _vb = world
    _make_conflicts(county, va, tmp_path, n=1)
    page = open_page(county.ctx(tmp_path), qtbot)
    panel = page.conflicts
    box = panel.edit_dialog()
    box.setTextValue("不是电话")
    box.accept()
    wait(qtbot)
    boxes = [w for w in page.findChildren(QMessageBox) if w.isVisible()]
    assert boxes and "电话" in boxes[-1].text()
    assert review.open_count(county.store) == 1 and panel.model.rowCount() == 1


def test_status_bar_shows_pending_and_conflicts_and_refreshes_after_import(world, tmp_path,
                                                                           qtbot):
    county, va, _vb = world
    enrol_all(county, va, folder=tmp_path / "enrol")
    ctx = va.ctx(tmp_path)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    wait(qtbot)
    pending = va.svc.pending_changes()
    assert pending > 0
    assert window.pending_label.text() == f"待上报县里：{pending} 条变更"
    assert window.conflicts_label.text() == "待处理冲突：0 条"
    up = export_bundle(va.store, COUNTY, tmp_path / "up")
    import_bundle(county.store, up.path)
    back = export_bundle(county.store, VA, tmp_path / "down")
    window.show_page("exchange")
    page = window.pages["exchange"]
    page.run_import([back.path])
    wait(qtbot)
    assert isinstance(page.dialog, ImportReportDialog)
    wait(qtbot)
    assert va.svc.pending_changes() == 0
    assert window.pending_label.text() == "待上报县里：0 条变更"
    assert page.pending_label.text() == "0 条"
    page.dialog.close()
    window.close()


# --- enrolment ---------------------------------------------------------------------------------


def test_enrolment_with_fingerprint_confirmation(world, tmp_path, qtbot, monkeypatch):
    county, va, _vb = world
    usb = tmp_path / "U盘"
    usb.mkdir()
    vpage = open_page(va.ctx(tmp_path), qtbot)
    cpage = open_page(county.ctx(tmp_path), qtbot)

    # station: 生成登记申请
    request = usb / "申请.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(request), ""))
    click(qtbot, vpage.enrol_button)
    assert request.exists() and va.keys.fingerprint in vpage.message.text()

    # county: 接受登记申请 shows the station and needs the phone check
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(request), ""))
    click(qtbot, cpage.accept_button)
    dialog = cpage.dialog
    assert isinstance(dialog, FingerprintDialog)
    assert dialog.fingerprint.text() == va.keys.fingerprint
    assert dialog.findChild(type(dialog.fingerprint), "party_code").text() == VA
    assert dialog.fingerprint.font().pixelSize() >= 24  # large enough to read out on the phone
    assert not dialog.ok.isEnabled()
    dialog.checked.setChecked(True)
    assert dialog.ok.isEnabled()
    acceptance = usb / "确认.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(acceptance), ""))
    click(qtbot, dialog.ok)
    wait(qtbot)
    assert acceptance.exists() and "已接受" in cpage.message.text()
    assert county.keys.fingerprint in cpage.message.text()
    assert [p["code"] for p in enrol.peers(county.store)] == [VA]
    wait(qtbot)
    assert [r["code"] for r in cpage.stations.rows] == [VA]

    # station: 安装登记确认 shows the county's fingerprint before applying
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(acceptance), ""))
    click(qtbot, vpage.apply_button)
    dialog = vpage.dialog
    assert isinstance(dialog, FingerprintDialog)
    assert dialog.fingerprint.text() == county.keys.fingerprint
    assert county_peer(va.store) is None  # nothing written before the check
    dialog.reject()
    wait(qtbot)
    assert county_peer(va.store) is None
    click(qtbot, vpage.apply_button)
    dialog = vpage.dialog
    dialog.checked.setChecked(True)
    click(qtbot, dialog.ok)
    wait(qtbot)
    assert county_peer(va.store)["code"] == COUNTY
    assert "登记完成" == vpage.message.windowTitle()
    assert COUNTY in vpage.peer_label.text()


def test_county_declining_the_check_writes_nothing(world, tmp_path, qtbot):
    county, va, _vb = world
    request = enrol.request(va.store, tmp_path)
    page = open_page(county.ctx(tmp_path), qtbot)
    dialog = page.confirm_request(request)
    dialog.reject()
    wait(qtbot)
    assert enrol.peers(county.store) == []
    assert not list(tmp_path.glob("enrol-accept-*"))


def test_tampered_request_is_refused(world, tmp_path, qtbot):
    county, va, _vb = world
    request = enrol.request(va.store, tmp_path)
    text = request.read_text(encoding="utf-8").replace("东沟村", "东沟屯")
    request.write_text(text, encoding="utf-8")
    page = open_page(county.ctx(tmp_path), qtbot)
    assert page.confirm_request(request) is None
    boxes = [w for w in page.findChildren(QMessageBox) if w.isVisible()]
    assert boxes and "签名" in boxes[-1].text()
    assert enrol.peers(county.store) == []


# --- stations view (county) ----------------------------------------------------------------------


def test_stations_view_stale_mark_and_context_actions(world, tmp_path, qtbot):
    county, va, vb = world
    enrol_all(county, va, vb, folder=tmp_path / "enrol")
    import_bundle(county.store, export_bundle(va.store, COUNTY, tmp_path / "u").path)
    with sqlite3.connect(county.store.path) as con:  # VB's last bundle was long ago
        con.execute("UPDATE sync_peer SET last_bundle_at = '2026-09-01T00:00:00.000Z' "
                    "WHERE code = ?", (VB,))
    page = open_page(county.ctx(tmp_path), qtbot)
    st = page.stations
    assert st is not None
    rows = [r["code"] for r in st.rows]
    assert rows == [VA, VB]
    assert st.model.stale == {1}
    assert st.model.data(st.model.index(1, 0), Qt.ItemDataRole.BackgroundRole) == STALE_BRUSH
    assert st.model.data(st.model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert "西岭村服务站" in st.stale_label.text()
    assert st.model.rows[0][2] == va.keys.fingerprint and st.model.rows[0][7] == 12

    menu = st.menu_for(VB)
    labels = [a.text() for a in menu.actions()]
    assert labels == ["导出恢复包…", "注销密钥…", "查看密钥指纹"]
    menu.actions()[2].trigger()
    assert vb.keys.fingerprint in page.message.text()

    # 导出恢复包… for VA: one station, restore ticked
    st.menu_for(VA).actions()[0].trigger()
    dialog = page.dialog
    assert isinstance(dialog, ExportDialog) and dialog.restore.isChecked()
    assert dialog.codes() == [VA]
    files = export_to(qtbot, dialog, tmp_path / "恢复")
    assert len(files) == 1 and files[0].name.endswith("-restore.sdbundle")
    assert "恢复包" in page.message.text()

    # 注销密钥… asks first
    st.menu_for(VB).actions()[1].trigger()
    box = page.message
    assert "确定注销" in box.text()
    yes = next(b for b in box.buttons() if b.text() == "注销")
    assert isinstance(yes, QPushButton)
    yes.click()
    wait(qtbot)
    wait(qtbot)
    assert {p["code"]: p["state"] for p in enrol.peers(county.store)}[VB] == "revoked"
    assert next(r for r in st.rows if r["code"] == VB)["state"] == "revoked"
    assert not st.menu_for(VB).actions()[1].isEnabled()


def test_county_export_to_chosen_stations(world, tmp_path, qtbot):
    county, va, vb = world
    enrol_all(county, va, vb, folder=tmp_path / "enrol")
    page = open_page(county.ctx(tmp_path), qtbot)
    click(qtbot, page.export_button)
    dialog = page.dialog
    assert dialog.codes() == [VA, VB]
    dialog.restore.setChecked(True)
    assert not dialog.ok.isEnabled()  # a restore bundle is for one station
    dialog.restore.setChecked(False)
    dialog.stations.item(1).setCheckState(Qt.CheckState.Unchecked)
    files = export_to(qtbot, dialog, tmp_path / "out")
    assert len(files) == 1 and files[0].name.startswith(f"{COUNTY}-to-{VA}-")
    assert import_bundle(va.store, files[0]).status == "applied"


def test_county_transfers_a_person(world, tmp_path, qtbot):
    county, va, vb = world
    enrol_all(county, va, vb, folder=tmp_path / "enrol")
    import_bundle(county.store, export_bundle(va.store, COUNTY, tmp_path / "u").path)
    person = county.svc.list("person", order_by="name")[0]
    page = open_page(county.ctx(tmp_path), qtbot)
    box = page.choose_target(person["id"])
    assert box is not None and box.comboBoxItems() == ["东沟村服务站（420303100201）",
                                                       "西岭村服务站（420303100202）"]
    box.setTextValue("西岭村服务站（420303100202）")
    box.accept()
    wait(qtbot)
    assert county.svc.get("person", person["id"])["station_code"] == VB
    assert "迁移完成" == page.message.windowTitle()


def test_picker_opens_for_transfer(world, tmp_path, qtbot):
    county, _va, _vb = world
    page = open_page(county.ctx(tmp_path), qtbot)
    click(qtbot, page.transfer_button)
    picker = page.dialog
    assert picker.isVisible() and "人员迁移" in picker.windowTitle()
    picker.reject()


# --- removable drives ------------------------------------------------------------------------------


class FakeVolume:
    def __init__(self, root: str, *, ready: bool = True, read_only: bool = False, name: str = ""):
        self.root, self.ready, self.read_only, self.name = root, ready, read_only, name

    def rootPath(self) -> str:  # noqa: N802 - QStorageInfo's names
        return self.root

    def isValid(self) -> bool:  # noqa: N802
        return True

    def isReady(self) -> bool:  # noqa: N802
        return self.ready

    def isReadOnly(self) -> bool:  # noqa: N802
        return self.read_only

    def displayName(self) -> str:  # noqa: N802
        return self.name

    def bytesAvailable(self) -> int:  # noqa: N802
        return 3 << 30


def test_removable_drives_are_ready_writable_and_not_the_system():
    from PySide6.QtCore import QStorageInfo

    from station_desktop.ui.exchange_dialogs import removable_drives

    volumes = [FakeVolume(QStorageInfo.root().rootPath()), FakeVolume("/media/u/KINGSTON", name="KINGSTON"),
               FakeVolume("/media/u/CDROM", read_only=True), FakeVolume("/run/media/u/SLOW", ready=False),
               FakeVolume("/home"), FakeVolume("/mnt/usb")]
    drives = removable_drives(volumes, platform="linux")  # type: ignore[arg-type]
    assert [d.path for d in drives] == ["/media/u/KINGSTON", "/mnt/usb"]
    assert drives[0].label.startswith("KINGSTON（/media/u/KINGSTON，可用 3.0 GB")


# --- town relay --------------------------------------------------------------------------------


def test_town_relays_village_bundles_from_the_page(world, tmp_path, qtbot, monkeypatch):
    county, va, _vb = world
    town = Party(tmp_path, "茅塔乡服务站", "town", TOWN, COUNTY)
    enrol_all(county, va, town, folder=tmp_path / "enrol")
    village_stick, county_stick = tmp_path / "村U盘", tmp_path / "去县里的U盘"
    original = export_bundle(va.store, COUNTY, village_stick).path
    (village_stick / "坏文件.sdbundle").write_bytes(b"junk")
    page = open_page(town.ctx(tmp_path), qtbot)
    answers = iter([str(village_stick), str(county_stick)])
    monkeypatch.setattr("station_desktop.ui.pages.exchange.QFileDialog.getExistingDirectory",
                        lambda *a, **k: next(answers))
    click(qtbot, page.relay_button)
    wait(qtbot)
    text = page.message.text()
    assert "已把 1 个数据包原样复制" in text and "不能转交" in text
    copy = county_stick / original.name
    assert copy.read_bytes() == original.read_bytes()
    assert import_bundle(county.store, copy).status == "applied"
    town.store.close()
