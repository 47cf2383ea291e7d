import time

from django.core.management.base import BaseCommand

from chumchon.core.periodic import run_due


class Command(BaseCommand):
    help = "Run the registered daily and monthly jobs that are due (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--only", help="run only the job with this name")
        parser.add_argument(
            "--loop",
            type=int,
            default=0,
            metavar="SECONDS",
            help="keep running, checking every SECONDS (used by the worker of `make run`)",
        )

    def handle(self, *args, **options):
        while True:
            for name, outcome in run_due(only=options["only"]):
                self.stdout.write(f"{name}: {outcome}")
            if not options["loop"]:
                return
            time.sleep(options["loop"])
