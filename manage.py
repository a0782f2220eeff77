#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if "DJANGO_SECRET_KEY" not in os.environ:
        # A checkout with no configuration is a developer's machine: let
        # `manage.py makemigrations`, `check`, `test`… run in development mode.
        # Servers start through config.wsgi, which still refuses to run
        # without DJANGO_SECRET_KEY, and an explicit DJANGO_DEBUG=0 is kept.
        os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
