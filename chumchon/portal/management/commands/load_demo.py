"""Demo data for `make run`: one user per role, and whatever each module's `demo.py` adds.

Idempotent: a second run creates nothing new and changes nothing that exists.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from chumchon.portal import demo


class Command(BaseCommand):
    help = "Load the demo users (one per role) and the modules' demo records; print the logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = demo.load_users()
            autodiscover_modules("demo")
            for loader in demo.LOADERS:
                loader(self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD})")
        for username, role, area in users:
            self.stdout.write(f"  {username:<12} {role:<28} {area}")
