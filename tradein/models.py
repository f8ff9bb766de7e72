"""Trade-in models (filled by its issue)."""
