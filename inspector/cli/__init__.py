"""Command-line sub-commands of `inspector`; each module adds its commands with `register(subparsers)`."""

# Modules that contribute sub-commands, in the order they appear in --help.
COMMAND_MODULES: tuple[str, ...] = (
    "inspector.cli.checklists",
    "inspector.cli.rules",
    "inspector.cli.data",
    "inspector.cli.hotline",
    "inspector.cli.sync",
    "inspector.cli.export",
    "inspector.cli.month_report",
)
