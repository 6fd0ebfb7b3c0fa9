"""Choose a jurisdiction without typing its code: a line edit whose completer searches the known tree by name (or
code), shows each entry with its path (朝阳区 › 三里屯街道 › 幸福三村社区 110105004032000) and keeps the code."""

from __future__ import annotations

import re

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from inspector.store import jurisdiction_tree
from inspector.ui.shared.context import AppContext

_CODE = re.compile(r"(?<!\d)(\d{6}|\d{9}|\d{12}|\d{15})(?!\d)")


class JurisdictionEdit(QLineEdit):
    """`code()` is the chosen entry's code, or the code typed; `set_code()` shows a code with its name."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.nodes = jurisdiction_tree.known(ctx.db)
        self.labels = {node.label(): node.code for node in self.nodes}
        self.entries = QStringListModel(list(self.labels), self)  # held here: the completer does not own it
        completer = QCompleter(self.entries, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        self.setClearButtonEnabled(True)
        self.setPlaceholderText(self.tr("输入街道、社区名称搜索，如“三里屯”"))

    def code(self) -> str:
        """The code of what is shown: a picked entry's, else the digits typed, else the text as it is."""
        text = self.text().strip()
        if text in self.labels:
            return self.labels[text]
        found = _CODE.search(text)
        return found.group(1) if found else text

    def set_code(self, code: str) -> None:
        """Show a code as its entry (path, name and code) when the tree has it, else the code alone."""
        label = next((label for label, known in self.labels.items() if known == code), None)
        self.setText(label or code)
        self.setCursorPosition(0)
