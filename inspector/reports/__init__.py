"""Documents and exports, used by the desktop app and the server CLI alike (no Qt here).

Import the module you need (each pulls in reportlab only when imported):
`ledger_xlsx` (问题台账 and 隐患排查治理台账 .xlsx, written by `xlsx_stream`), `pdf_inspection` (检查记录),
`pdf_notice` (整改通知书), `pdf_signboard` (门前三包责任公示牌). Every writer takes a path (written atomically) or a
binary stream and raises `errors.ReportError` with a clear message on bad input; `fonts` finds the Chinese font the
PDFs embed.
"""
