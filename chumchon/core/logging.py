"""National IDs never reach the logs: any 13-digit run (with or without dashes) is masked.

`MaskPersonalDataFilter` masks the message, the formatted traceback (an exception's message
and the source lines shown in it often carry the ID) and the stack. It formats the traceback
itself and leaves the masked text in `record.exc_text`, which `logging.Formatter` prints
instead of formatting `exc_info` again; `exc_info` stays on the record, so handlers still know
there was an exception. A handler that formats `exc_info` on its own (not through
`logging.Formatter`, e.g. an error-report mailer) is not covered: attach none without masking.
"""

import logging
import re

NATIONAL_ID_RE = re.compile(r"(?<!\d)\d[\s-]?\d{4}[\s-]?\d{5}[\s-]?\d{2}[\s-]?\d(?!\d)")

_TRACEBACK_FORMATTER = logging.Formatter()


def mask_ids(text: str) -> str:
    return NATIONAL_ID_RE.sub("[national-id]", text)


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record keeps its message, its traceback is still masked
            message = None
        if message is not None:
            masked = mask_ids(message)
            if masked != message:
                record.msg = masked
                record.args = ()
        if record.exc_info and not record.exc_text:
            try:
                record.exc_text = _TRACEBACK_FORMATTER.formatException(record.exc_info)
            except Exception:  # never lose the log line over its traceback
                record.exc_text = "(traceback could not be formatted)"
        if record.exc_text:
            record.exc_text = mask_ids(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_ids(record.stack_info)
        return True
