"""python manage.py import_registry --kind communities|people|surveys FILE [--dry-run]
[--actor USERNAME] [--draft] [--replace-drafts]

Validates the whole file, then saves everything in one transaction or nothing.
Exit status: 0 committed (or valid, with --dry-run); 1 the file is invalid or refused (one error
per line on stderr); 2 usage errors (unknown option or kind, missing file, unknown actor).
Without --actor the import runs as the system (every area); with it, only where that user holds
records.edit (surveys: surveys.record).
Surveys (imports/surveys.py) are submitted and classified unless --draft; a house that already
has a survey in the round is refused, unless it is a draft and --replace-drafts is given.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from chumchon.communities.imports import KINDS, FileRefused, run_import
from chumchon.communities.imports.columns import SURVEYS
from chumchon.communities.imports.files import check_size


class Command(BaseCommand):
    help = "Import communities, households and people, or household surveys, from .xlsx or .csv."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument("file", help=".xlsx or .csv (UTF-8 with or without BOM, or cp874)")
        parser.add_argument("--dry-run", action="store_true", help="check the file; save nothing")
        parser.add_argument("--actor", help="import as this user (only where they may edit)")
        parser.add_argument(
            "--draft", action="store_true", help="surveys: save as drafts (not submitted)"
        )
        parser.add_argument(
            "--replace-drafts",
            action="store_true",
            help="surveys: overwrite a house's draft survey of the round (never a submitted one)",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise IsADirectoryError(21, "not a file")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}", returncode=2) from exc
        try:
            check_size(size)  # before reading: a file over the limit is never loaded
        except FileRefused as exc:
            self.stderr.write(exc.problem.render())
            raise SystemExit(1) from None
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}", returncode=2) from exc
        actor = None
        if options.get("actor"):
            try:
                actor = get_user_model().objects.get(username=options["actor"], is_active=True)
            except get_user_model().DoesNotExist:
                raise CommandError(f"no active user {options['actor']!r}", returncode=2) from None
        started = time.monotonic()
        result = run_import(
            kind=options["kind"],
            data=data,
            filename=path.name,
            actor=actor,
            system=actor is None,
            dry_run=options["dry_run"],
            options=(
                {"draft": options["draft"], "replace_drafts": options["replace_drafts"]}
                if options["kind"] == SURVEYS
                else None
            ),
        )
        if not result.ok:
            for line in result.error_lines:
                self.stderr.write(line)
            raise SystemExit(1)
        if options["verbosity"] > 1:
            self.stdout.write(f"{result.rows} lines read in {time.monotonic() - started:.1f} s")
        for line in result.summary_lines():
            self.stdout.write(line)
