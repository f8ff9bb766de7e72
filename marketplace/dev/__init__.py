"""Development runner: embedded PostgreSQL and Redis under var/ when no URLs are configured."""
