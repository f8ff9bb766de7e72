"""Sellers models (filled by its issue)."""
