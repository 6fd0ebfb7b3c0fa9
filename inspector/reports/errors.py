"""The one error the report layer raises for bad input, a missing font or an output it cannot write."""

from __future__ import annotations


class ReportError(ValueError):
    """A document or export cannot be produced; the message says why in Chinese, with the English in brackets."""
