#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import sys

from config.settings_module import select_settings_module


def main() -> None:
    select_settings_module()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
