#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

Without DATABASE_URL it uses the embedded servers of a running `make run`, or says
what to run instead of failing on the connection (marketplace/dev/manage_py.py).
"""

import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    from django.core.management import execute_from_command_line

    from marketplace.dev.manage_py import main as run

    return run(sys.argv, execute_from_command_line)


if __name__ == "__main__":
    sys.exit(main())
