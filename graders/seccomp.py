"""Seccomp syscall filter for a grading child (first version: a stub)."""

from __future__ import annotations


def set_no_new_privs() -> bool:
    """Set ``PR_SET_NO_NEW_PRIVS``; return whether it is set."""
    return False


def install() -> str:
    """Install the filter; return the layer status."""
    return "unavailable: not implemented yet"
