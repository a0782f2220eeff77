"""Enqueue scheduled jobs (reminders) on time; run one per machine or several: each slot is taken once."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from tracker import scheduler


class Command(BaseCommand):
    help = "Enqueue the scheduled background jobs (reminders every 15 minutes). Runs until stopped."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Tick once and exit (for cron or a test).")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between ticks (default 30).")

    def handle(self, *args, once: bool, interval: float, **options) -> None:
        while True:
            close_old_connections()
            for name in scheduler.tick():
                self.stdout.write(f"Enqueued {name}.")
            if once:
                return
            time.sleep(interval)
