import sys

from django.core.management.base import BaseCommand

from chumchon.accounts.models import User
from chumchon.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME; prints only the token, on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="what the token is for")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            self.stderr.write(f"No active user named {options['username']!r}.")
            sys.exit(1)
        _token, raw = api_token_create(actor=None, user=user, name=options["name"])
        self.stdout.write(raw)
