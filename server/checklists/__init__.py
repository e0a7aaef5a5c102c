"""Checklists: the YAML format, loading files, and the published versions kept for ever."""
