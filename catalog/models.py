"""Catalog models (filled by its issue)."""
