"""National IDs never reach the logs: any 13-digit run (with or without dashes) is masked."""

import logging
import re

NATIONAL_ID_RE = re.compile(r"(?<!\d)\d[\s-]?\d{4}[\s-]?\d{5}[\s-]?\d{2}[\s-]?\d(?!\d)")


def mask_ids(text: str) -> str:
    return NATIONAL_ID_RE.sub("[national-id]", text)


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is passed on untouched
            return True
        masked = mask_ids(message)
        if masked != message:
            record.msg = masked
            record.args = ()
        return True
