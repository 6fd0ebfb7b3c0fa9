"""Subjects (检查对象): the list, the edit dialog and import from a sheet."""
