"""First run: set the station (role, 12-digit code, name, parent) and the first operator."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from station_desktop.domain.enums import Role
from station_desktop.domain.errors import StationError, ValidationError
from station_desktop.domain.validate import parse_station_code
from station_desktop.services import Service
from station_desktop.ui.forms import ERROR_STYLE
from station_desktop.ui.widgets import text_label


def _error_label() -> QLabel:
    label = text_label(style=ERROR_STYLE, wrap=True)
    return label


def chinese_buttons(wizard: QWizard) -> None:
    """Our wording on a wizard's buttons, whatever Qt translation is installed."""
    for button, text in ((QWizard.WizardButton.NextButton, "下一步"),
                         (QWizard.WizardButton.BackButton, "上一步"),
                         (QWizard.WizardButton.FinishButton, "完成"),
                         (QWizard.WizardButton.CancelButton, "取消")):
        wizard.setButtonText(button, text)


class StationPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("第一步：设置本服务站")
        self.setSubTitle("这些信息在首次使用时设置一次。代码是国家统计局的 12 位统计用区划代码，"
                         "可向乡镇或县服务中心询问。")
        self.role = QComboBox()
        self.role.setObjectName("wizard_role")
        for value, label in Role.choices():
            self.role.addItem(label, value)
        self.code = QLineEdit()
        self.code.setObjectName("wizard_code")
        self.code.setPlaceholderText("如 420303100201")
        self.code.setMaxLength(12)
        self.name = QLineEdit()
        self.name.setObjectName("wizard_name")
        self.name.setPlaceholderText("如 东沟村退役军人服务站")
        self.parent_code = QLineEdit()
        self.parent_code.setObjectName("wizard_parent")
        self.parent_code.setPlaceholderText("上级乡镇（街道）或县的代码，可不填")
        self.error = _error_label()
        self.error.setObjectName("wizard_error")
        form = QFormLayout()
        form.addRow("服务站类型", self.role)
        form.addRow("区划代码＊", self.code)
        form.addRow("服务站名称＊", self.name)
        form.addRow("上级代码", self.parent_code)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        for w in (self.code, self.name, self.parent_code):
            w.textChanged.connect(self._check)
        self.role.currentIndexChanged.connect(self._check)

    def problem(self) -> str:
        """What is wrong with the typed values, in Chinese, or "" when all is well."""
        try:
            parse_station_code(self.code.text(), Role(self.role.currentData()))
            if self.parent_code.text().strip():
                parse_station_code(self.parent_code.text())
        except ValidationError as exc:
            return exc.user_text() if self.code.text() else ""
        if not self.name.text().strip():
            return "请填写服务站名称。"
        return ""

    def _check(self) -> None:
        self.error.setText(self.problem())
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.code.text()) and self.problem() == ""


class OperatorPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("第二步：第一位操作员")
        self.setSubTitle("填写平时使用本程序的同志姓名。以后可以在“设置→操作员”中增加。")
        self.operator = QLineEdit()
        self.operator.setObjectName("wizard_operator")
        self.operator.setPlaceholderText("姓名")
        self.operator.textChanged.connect(self.completeChanged)
        self.error = _error_label()
        form = QFormLayout(self)
        form.addRow("操作员姓名＊", self.operator)
        form.addRow(self.error)

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.operator.text().strip())


class FirstRunWizard(QWizard):
    """Writes the station on 完成; a refusal is shown on the page and nothing is written."""

    def __init__(self, service: Service, parent: QWidget | None = None):
        super().__init__(parent)
        self.service = service
        self.setWindowTitle("退役军人服务站 — 首次使用设置")
        chinese_buttons(self)
        self.station = StationPage()
        self.operator = OperatorPage()
        self.addPage(self.station)
        self.addPage(self.operator)
        self.resize(640, 420)
        self.result_info: dict | None = None

    def accept(self) -> None:
        try:
            self.result_info = self.service.init_station(
                role=self.station.role.currentData(), code=self.station.code.text(),
                name=self.station.name.text(), parent_code=self.station.parent_code.text() or None,
                operator_name=self.operator.operator.text().strip(),
            )
            from station_desktop.sync.keys import ensure_keys

            ensure_keys(Path(self.service.store.path).parent)
        except StationError as exc:
            self.operator.error.setText(exc.user_text())
            return
        super().accept()
