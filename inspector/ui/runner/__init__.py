"""The inspection runner: starting an inspection, the item list and panel, the session saved at every change."""
