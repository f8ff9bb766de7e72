"""Orders models (filled by its issue)."""
