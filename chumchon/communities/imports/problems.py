"""What an import reports: one line per problem, in English and in Thai.

    row 12, column เลขประจำตัวประชาชน: This national ID appears twice in the file: duplicate
    of row 8 / ...
    file: The column "first_name" (ชื่อ) is missing. / ...

`row N` is the row number the spreadsheet shows (the header is row 1); `column X` is the
column's header as written in the file. Each message is rendered twice, under English and under
Thai, whatever the user's language, so that a line means the same to everyone who reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation


@dataclass(frozen=True)
class Problem:
    row: int | None  # None: the file as a whole
    column: str | None
    message: Any  # a lazy msgid with %-placeholders, or a ValidationError
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, language: str) -> str:
        with translation.override(language):
            if isinstance(self.message, ValidationError):
                return " ".join(str(m) for m in self.message.messages)
            text = str(self.message)
            return text % self.params if self.params else text

    def render(self) -> str:
        message = f"{self.text('en')} / {self.text('th')}"
        if self.row is None:
            return f"file: {message}"
        return f"row {self.row}, column {self.column}: {message}"


class CellError(Exception):
    """A value that cannot be used; `message` as in Problem."""

    def __init__(self, message: Any, **params: Any):
        super().__init__(str(message))
        self.message = message
        self.params = params


class FileRefused(Exception):
    """The whole file is refused (hostile, unreadable, too large, no usable header)."""

    def __init__(self, message: Any, **params: Any):
        super().__init__(str(message))
        self.problem = Problem(None, None, message, params)
