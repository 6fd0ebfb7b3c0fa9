"""The sync part of the settings page: server, username, password and an optional CA bundle → login on a worker;
logout; who is logged in with their roles and jurisdictions; how often to sync; a notice when the login is kept in
memory only (no secure keyring on this computer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspector.ui.shared.context import AppContext
from inspector.ui.shared.resources import icon
from inspector.ui.shared.widgets import hint_label, restyle, set_form_label
from inspector.ui.sync.controller import INTERVAL_CHOICES, LoginAttempt, SyncController, SyncState, interval_minutes
from inspector.ui.sync.messages import login_error_text, role_label


class LoginPanel(QWidget):
    """Log in to the district server and choose how often to sync."""

    def __init__(self, ctx: AppContext, sync: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sync = sync
        self.server_url = QLineEdit()
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.log_in)
        self.ca_bundle = QLineEdit()
        self.ca_browse = QPushButton(icon("folder"), "")
        self.ca_browse.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.ca_browse.clicked.connect(self.choose_ca_bundle)
        self.interval = QComboBox()
        self.interval.currentIndexChanged.connect(self._interval_chosen)
        self.login_button = QPushButton("")
        self.login_button.setObjectName("primary")
        self.login_button.clicked.connect(self.log_in)
        self.logout_button = QPushButton("")
        self.logout_button.clicked.connect(self.log_out)
        self.message = hint_label()
        self.account = QLabel()
        self.account.setWordWrap(True)
        self.memory_notice = hint_label(name="warning")
        self.memory_notice.hide()

        self.form = QFormLayout()
        self.form.addRow(QLabel(), self.server_url)
        self.form.addRow(QLabel(), self.username)
        self.form.addRow(QLabel(), self.password)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(self.ca_browse)
        self.form.addRow(QLabel(), ca_row)
        self.form.addRow(QLabel(), self.interval)
        buttons = QHBoxLayout()
        buttons.addWidget(self.login_button)
        buttons.addWidget(self.logout_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.account)
        layout.addWidget(self.memory_notice)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

        sync.state_changed.connect(self._on_state)
        sync.login_finished.connect(self._logged_in)
        sync.logout_finished.connect(self._logged_out)
        self.retranslate()
        if sync.state is not None:
            self._on_state(sync.state)
        else:
            sync.refresh_state()

    # -- login and logout -----------------------------------------------------------------------------------------

    def log_in(self) -> Any:
        """Check the form, then log in on a worker (the result arrives through the controller)."""
        url, user = self.server_url.text().strip(), self.username.text().strip()
        password, ca_bundle = self.password.text(), self.ca_bundle.text().strip()
        if not (url and user and password):
            self._say(self.tr("请填写服务器地址、用户名和密码。"), error=True)
            return None
        if ca_bundle and not Path(ca_bundle).is_file():
            self._say(self.tr("找不到 CA 证书文件：%1").replace("%1", ca_bundle), error=True)
            return None
        self.login_button.setEnabled(False)
        self._say(self.tr("正在登录…"))
        return self.sync.login(url, user, password, ca_bundle)

    def _logged_in(self, attempt: LoginAttempt) -> None:
        self.login_button.setEnabled(True)
        if attempt.error is not None:
            self._say(login_error_text(attempt.error, self.ctx.language), error=True)
            return
        self.password.clear()
        self._say(self.tr("已登录。"))

    def log_out(self) -> Any:
        self.logout_button.setEnabled(False)
        return self.sync.logout()

    def _logged_out(self, confirmed: bool) -> None:
        if confirmed:
            self._say(self.tr("已退出登录。待同步的数据仍保留在本机。"))
        else:
            self._say(self.tr("已在本机退出登录（服务器未确认）。待同步的数据仍保留在本机。"))

    def choose_ca_bundle(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("选择 CA 证书文件"), str(Path.home()),
                                                    self.tr("证书文件 (*.pem *.crt *.cer);;所有文件 (*)"))  # fmt: skip
        if path:
            self.ca_bundle.setText(path)

    def _interval_chosen(self) -> None:
        minutes = self.interval.currentData()
        if minutes is not None and int(minutes) != interval_minutes(self.ctx.db):
            self.sync.set_interval_minutes(int(minutes))

    # -- what is known ------------------------------------------------------------------------------------------

    def _on_state(self, state: SyncState) -> None:
        status = state.status
        if status.server_url and not self.server_url.text():
            self.server_url.setText(status.server_url)
        if status.username and not self.username.text():
            self.username.setText(status.username)
        if state.ca_bundle and not self.ca_bundle.text():
            self.ca_bundle.setText(state.ca_bundle)
        self.logout_button.setEnabled(state.configured)
        self.memory_notice.setVisible(state.logged_in and status.token_storage == "memory")
        self.account.setText(self._account_text(state))
        self._fit_wrapped_labels()

    def _account_text(self, state: SyncState) -> str:
        status = state.status
        if not state.configured:
            return self.tr("未登录。登录后，本机的检查和问题会自动上传到区里的服务器。")
        who = f"{state.display_name} ({status.username})" if state.display_name else str(status.username)
        if not state.logged_in:
            return self.tr("%1 的登录已失效或未保存，请输入密码重新登录。").replace("%1", who)
        roles = "、".join(role_label(role) for role in state.roles) or "-"
        places = "、".join(f"{name}（{code}）" if name else code for code, name in state.jurisdictions) or "-"
        return "\n".join([
            self.tr("已登录：%1").replace("%1", who),
            self.tr("角色：%1").replace("%1", roles),
            self.tr("辖区：%1").replace("%1", places),
        ])  # fmt: skip

    def _say(self, text: str, error: bool = False) -> None:
        restyle(self.message, "error" if error else "hint")
        self.message.setText(text)
        self._fit_wrapped_labels()

    # -- language -----------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        for row, text in enumerate((self.tr("服务器地址"), self.tr("用户名"), self.tr("密码"), self.tr("CA 证书"),
                                    self.tr("自动同步"))):  # fmt: skip
            set_form_label(self.form, row, text)
        self.server_url.setPlaceholderText("https://sync.example.gov.cn")
        self.ca_bundle.setPlaceholderText(self.tr("可选：单位自建证书颁发机构的证书文件（PEM）"))
        self.ca_browse.setText(self.tr("选择…"))
        self.login_button.setText(self.tr("登录"))
        self.logout_button.setText(self.tr("退出登录"))
        self.memory_notice.setText(
            self.tr("本机没有安全的密钥存储：登录只保存在本次运行的内存中，下次启动需要重新登录。")
        )
        current = interval_minutes(self.ctx.db)
        self.interval.blockSignals(True)
        self.interval.clear()
        for minutes in INTERVAL_CHOICES:
            text = self.tr("每 %n 分钟", "", minutes) if minutes else self.tr("仅手动同步")
            self.interval.addItem(text, minutes)
        index = self.interval.findData(current)
        if index < 0:
            self.interval.addItem(self.tr("每 %n 分钟", "", current), current)
            index = self.interval.count() - 1
        self.interval.setCurrentIndex(index)
        self.interval.blockSignals(False)
        if self.sync.state is not None:
            self.account.setText(self._account_text(self.sync.state))

    def _fit_wrapped_labels(self) -> None:
        """Wrapped lines need the height of their wrapped text, which the page's scroll area does not ask for."""
        for label in (self.account, self.memory_notice, self.message):
            width = label.width() if label.width() > 50 else self.width()
            label.setMinimumHeight(label.heightForWidth(width) if label.text() else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_wrapped_labels()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
