"""Warranty models (filled by its issue)."""
