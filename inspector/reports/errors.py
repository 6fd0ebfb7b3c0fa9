"""The one error the report layer raises for bad input, a missing font or an output it cannot write."""

from __future__ import annotations

from inspector.core.errors import UserError


class ReportError(UserError, ValueError):
    """A document or export cannot be produced; `zh` and `en` say why (`str()` gives both)."""

    code = "report_failed"
