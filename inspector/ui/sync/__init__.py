"""Sync in the interface: the controller, status bar, login, badges, messages and conflicts."""
