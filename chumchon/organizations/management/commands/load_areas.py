from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chumchon.organizations.services import RowErrors, areas_load, read_area_csv


class Command(BaseCommand):
    help = "Load or update an area tree from a CSV file: code,name_th,name_en,kind,parent_code."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="CSV file (UTF-8; rows in any order; roots have no parent_code)"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp874")  # Thai Windows Excel saves CSV as cp874
            result = areas_load(actor=None, rows=read_area_csv(text))
        except RowErrors as exc:
            for message in exc.row_errors:
                self.stderr.write(str(message))
            raise CommandError(f"{len(exc.row_errors)} error(s); nothing was saved.") from exc
        self.stdout.write(
            f"created {len(result.created)}, updated {len(result.updated)}, "
            f"unchanged {len(result.unchanged)}"
        )
