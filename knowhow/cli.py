"""The `knowhow` console command: Django's management commands under one name.

knowhow serve [--port N]   production server (gunicorn) with static files
knowhow worker             background task worker (database queue, or RQ with REDIS_URL)
knowhow demo               load demo content
knowhow migrate, knowhow createsuperuser, ...  any other management command
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    argv = ["knowhow", *sys.argv[1:]]
    if len(argv) == 1:
        argv.append("help")
    elif not argv[1].startswith("-"):
        # `knowhow rebuild-reputation` runs the `rebuild_reputation` command.
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
