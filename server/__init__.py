"""Genba: offline-first audit and inspection server."""

__version__ = "0.1.0"
