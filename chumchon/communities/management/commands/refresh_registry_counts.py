"""python manage.py refresh_registry_counts [--check]

Recompute the stored registry counts (`CommunityCount`: active households, living members) of
every community from the registry, in one transaction. With --check, change nothing: list the
communities whose stored counts differ from the live ones and exit 1 if there is any (0 when
all agree). The services and imports keep the counts exact; this repairs a database written
around them (COPY, a restore, a manual SQL fix). A daily periodic job runs the refresh too.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from chumchon.communities.selectors import registry_counts_drift
from chumchon.communities.services import registry_counts_refresh


class Command(BaseCommand):
    help = "Recompute the stored registry counts of every community (--check: only compare)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing; list the communities whose stored counts are wrong (exit 1)",
        )

    def handle(self, *args, **options):
        if options["check"]:
            drift = registry_counts_drift()
            for _pk, code, stored, live in drift:
                self.stdout.write(
                    f"{code}: stored {stored[0]} households, {stored[1]} people; "
                    f"the registry has {live[0]} households, {live[1]} people"
                )
            if drift:
                self.stderr.write(
                    f"{len(drift)} communities have wrong stored counts: "
                    "run refresh_registry_counts without --check"
                )
                raise SystemExit(1)
            self.stdout.write("The stored registry counts of every community are right.")
            return
        started = time.perf_counter()
        with transaction.atomic():
            count = registry_counts_refresh(None)
        self.stdout.write(
            f"Refreshed the registry counts of {count} communities "
            f"in {time.perf_counter() - started:.1f} s."
        )
