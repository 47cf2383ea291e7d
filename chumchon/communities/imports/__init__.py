"""Registry import from Excel (.xlsx) and CSV: communities, and households with their people.

- `columns`: the template columns (keys, Thai headers, required ones)
- `files`: hostile-file checks and row reading (xlsx via python-calamine, CSV streamed)
- `cells`: forgiving readers of one cell (Thai digits, BE/CE dates, yes/no words, ...)
- `people`, `communities`: checking rows against the registry and writing them in bulk
- `run`: one import end to end (all or nothing), the result and the error workbook
- `template`: the downloadable xlsx templates
"""

from .columns import COMMUNITIES, KINDS, PEOPLE
from .problems import FileRefused, Problem
from .run import ImportResult, error_workbook, file_sha256, run_import

__all__ = [
    "COMMUNITIES",
    "KINDS",
    "PEOPLE",
    "FileRefused",
    "ImportResult",
    "Problem",
    "error_workbook",
    "file_sha256",
    "run_import",
]
