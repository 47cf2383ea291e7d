"""National IDs never reach the logs: not in messages, tracebacks or stacks."""

from __future__ import annotations

import io
import logging

import pytest

from chumchon.core.logging import MaskPersonalDataFilter, mask_ids

NATIONAL_ID = "1101700230708"


@pytest.fixture
def masked_log():
    """A logger writing through a StreamHandler with the mask filter, as in settings.LOGGING."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPersonalDataFilter())
    logger = logging.getLogger("chumchon.tests.masking")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def test_message_and_arguments_are_masked(masked_log):
    logger, stream = masked_log
    logger.info("searched %s", "1-1017-00230-70-8")
    logger.info("id=%s", NATIONAL_ID)
    assert stream.getvalue() == "searched [national-id]\nid=[national-id]\n"


def test_traceback_of_a_logged_exception_is_masked(masked_log):
    logger, stream = masked_log
    try:
        raise ValueError("id 1101700230708")
    except ValueError:
        logger.exception("lookup failed")
    output = stream.getvalue()
    assert "lookup failed" in output
    assert "Traceback (most recent call last)" in output
    assert "ValueError: id [national-id]" in output
    assert NATIONAL_ID not in output  # neither the message nor the source line shown


def test_exception_passed_as_exc_info_is_masked(masked_log):
    logger, stream = masked_log
    exc = KeyError(f"person {NATIONAL_ID}")
    try:
        raise exc
    except KeyError:
        pass
    logger.error("job failed", exc_info=exc)
    output = stream.getvalue()
    assert "KeyError" in output and "[national-id]" in output
    assert NATIONAL_ID not in output


def test_exc_info_stays_on_the_record():
    """Handlers still see that there was an exception; they print the masked text."""
    try:
        raise ValueError(f"id {NATIONAL_ID}")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert MaskPersonalDataFilter().filter(record) is True
    assert record.exc_info is not None
    assert NATIONAL_ID not in record.exc_text and "[national-id]" in record.exc_text
    assert NATIONAL_ID not in logging.Formatter().format(record)


def test_stack_info_is_masked(masked_log):
    logger, stream = masked_log

    def lookup(national_id):
        logger.warning("slow lookup", stack_info=True)

    lookup("1101700230708")  # the call's source line, shown in the stack, carries the ID
    output = stream.getvalue()
    assert "Stack (most recent call last)" in output
    assert NATIONAL_ID not in output and "[national-id]" in output


def test_a_malformed_record_is_passed_on_and_its_traceback_still_masked(masked_log):
    logger, stream = masked_log
    try:
        raise ValueError(f"id {NATIONAL_ID}")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "%d items", ("not a number",), sys.exc_info()
        )
    assert MaskPersonalDataFilter().filter(record) is True
    assert NATIONAL_ID not in record.exc_text


def test_mask_ids_keeps_other_numbers():
    assert mask_ids("phone 0812345678, amount 1234567.50") == "phone 0812345678, amount 1234567.50"
    assert mask_ids("1 1017 00230 70 8") == "[national-id]"
