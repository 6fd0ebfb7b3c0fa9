"""Text that can be stored and hashed: no NUL characters (PostgreSQL refuses them) and no lone surrogates (they
have no UTF-8 form)."""

from __future__ import annotations

from typing import Any

NUL = "\x00"


def text_problem(text: str) -> str | None:
    """Why a text cannot be stored as it is, or None."""
    if NUL in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must not contain lone surrogates"
    return None


def shown(key: Any) -> str:
    """A key as it may appear in a message: itself when clean, else escaped to ASCII."""
    text = str(key)
    return text if text_problem(text) is None else ascii(text)[1:-1]


def value_problem(value: Any, path: tuple[str, ...] = ()) -> str | None:
    """Where and why a JSON value holds text that cannot be stored (`a.b.0: must not …`), or None."""
    if isinstance(value, str):
        problem = text_problem(value)
        return f"{'.'.join(path) or 'value'}: {problem}" if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = (*path, shown(key))
            if isinstance(key, str):
                problem = text_problem(key)
                if problem:
                    return f"{'.'.join(where)} (a key): {problem}"
            problem = value_problem(item, where)
            if problem:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problem = value_problem(item, (*path, str(index)))
            if problem:
                return problem
    return None
