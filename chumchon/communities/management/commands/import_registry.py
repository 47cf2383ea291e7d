"""python manage.py import_registry --kind communities|people FILE [--dry-run] [--actor USERNAME]

Validates the whole file, then saves everything in one transaction or nothing.
Exit status: 0 committed (or valid, with --dry-run); 1 the file is invalid or refused (one error
per line on stderr); 2 usage errors (unknown option or kind, missing file, unknown actor).
Without --actor the import runs as the system (every area); with it, only where that user holds
records.edit.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from chumchon.communities.imports import KINDS, FileRefused, run_import
from chumchon.communities.imports.files import check_size


class Command(BaseCommand):
    help = "Import communities, or households and people, from an .xlsx or .csv file."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument("file", help=".xlsx or .csv (UTF-8 with or without BOM, or cp874)")
        parser.add_argument("--dry-run", action="store_true", help="check the file; save nothing")
        parser.add_argument("--actor", help="import as this user (only where they may edit)")

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
        )
        if not result.ok:
            for line in result.error_lines:
                self.stderr.write(line)
            raise SystemExit(1)
        if options["verbosity"] > 1:
            self.stdout.write(f"{result.rows} lines read in {time.monotonic() - started:.1f} s")
        for line in result.summary_lines():
            self.stdout.write(line)
