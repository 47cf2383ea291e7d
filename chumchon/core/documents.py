"""Official documents: running numbers (เลขที่หนังสือ) and PDF rendering.

Running numbers
    ``next_document_number(issuer_code=..., series=..., on=...)`` gives the next number of an
    issuing office's series in the Buddhist-era year of ``on``; numbering restarts at 1 every
    BE year (1 January), as the registration book (ทะเบียนหนังสือส่ง) does. It is safe under
    concurrency: the counter row is locked (``SELECT ... FOR UPDATE``) inside the caller's
    transaction, so two requests never get the same number, and a number taken by a
    transaction that rolls back is given again (no gaps from failed saves).

    The number is shown as ``format_document_number(issuer_code, number, year_be, series)``::

        "ชม 51001/42/2567"        issuer "ชม 51001", number 42, year 2567
        "ชม 51001/ว 7/2567"       the same office's circular series ("ว")

    i.e. ``{issuer_code}/{series + " " if series}{number}/{year_be}``: the office code as on
    its letters (ระเบียบงานสารบรรณ style "ที่ มท 0808.2/1234"), the number without zero
    padding, and the BE year so that the reference stays unique across years. Digits are ASCII;
    a template may show them in Thai digits with ``{{ number|thai_digits }}``.

PDF
    ``render_pdf("documents/memo.html", context)`` renders a Django template and WeasyPrint
    turns it into PDF bytes; ``pdf_response(pdf, "บันทึก.pdf")`` serves them. Templates extend
    ``documents/base.html`` (A4, Thai official margins, Laksaman 16 pt). Official documents are
    Thai whatever the viewer's interface language: the template is rendered with Thai active.
    Only ``data:`` URLs and ``file:`` URLs of files inside the static directories
    (``STATIC_ROOT``, ``STATICFILES_DIRS``) are fetched while rendering: a PDF never reaches
    out to the network nor reads other files of the server (a template that shows a
    user-supplied URL cannot embed ``file:///etc/passwd``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

import weasyprint
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from fontTools.agl import toUnicode as glyph_name_to_text
from fontTools.ttLib import TTFont
from weasyprint.text.fonts import get_hb_object_data
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .dates import be_year
from .models import DocumentCounter

__all__ = [
    "BANGKOK",
    "format_document_number",
    "next_document_number",
    "pdf_response",
    "render_pdf",
]

BANGKOK = ZoneInfo("Asia/Bangkok")

logger = logging.getLogger(__name__)

_CODE_MAX = DocumentCounter._meta.get_field("issuer_code").max_length
_SERIES_MAX = DocumentCounter._meta.get_field("series").max_length


# --- running numbers ----------------------------------------------------------------------


def format_document_number(issuer_code: str, number: int, year_be: int, series: str = "") -> str:
    """The document reference: "ชม 51001/42/2567", or "ชม 51001/ว 7/2567" with series "ว"."""
    middle = f"{series} {number}" if series else str(number)
    return f"{issuer_code}/{middle}/{year_be}"


def _document_day(on: date | None) -> date:
    """The calendar day a document is dated: today in Bangkok by default."""
    if on is None:
        return timezone.now().astimezone(BANGKOK).date()
    if isinstance(on, datetime):
        if timezone.is_aware(on):
            return on.astimezone(BANGKOK).date()
        return on.date()
    return on


def next_document_number(
    *, issuer_code: str, series: str = "", on: date | None = None
) -> tuple[int, str]:
    """Take the next running number of ``issuer_code``'s ``series`` in the BE year of ``on``.

    Returns ``(number, formatted)``, e.g. ``(42, "ชม 51001/42/2567")``. ``on`` (a date, or a
    datetime read in Bangkok time) defaults to today in Bangkok. Call it inside the
    transaction that saves the document: the counter row stays locked until that transaction
    ends, and a rollback gives the number back.
    """
    issuer_code = (issuer_code or "").strip()
    series = (series or "").strip()
    if not issuer_code:
        raise ValueError("issuer_code is required (the issuing office's code, e.g. 'ชม 51001')")
    if len(issuer_code) > _CODE_MAX:
        raise ValueError(f"issuer_code is longer than {_CODE_MAX} characters")
    if len(series) > _SERIES_MAX:
        raise ValueError(f"series is longer than {_SERIES_MAX} characters")
    year = be_year(_document_day(on))
    key = {"issuer_code": issuer_code, "series": series, "year_be": year}

    with transaction.atomic():
        locked = DocumentCounter.objects.select_for_update().filter(**key)
        counter = locked.first()
        if counter is None:
            # First number of the year: create the row. Two first requests may race; the
            # loser's INSERT fails on the unique constraint (on PostgreSQL it waits for the
            # winner to commit first). The savepoint keeps the outer transaction usable.
            try:
                with transaction.atomic():
                    DocumentCounter.objects.create(**key, last_number=0)
            except IntegrityError:
                pass
            counter = locked.get()
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
    number = counter.last_number
    return number, format_document_number(issuer_code, number, year, series)


# --- PDF --------------------------------------------------------------------------------------


def _font_family() -> str:
    family = getattr(settings, "PDF_FONT_FAMILY", "") or "Laksaman"
    if "sarabun" in family.lower():
        # Debian's fontconfig maps "TH Sarabun" to a scaled Laksaman that WeasyPrint lays out
        # small and draws full size: overlapping text (docs/traps.md).
        raise ImproperlyConfigured(
            f"PDF_FONT_FAMILY={family!r}: name 'Laksaman' (fonts-thai-tlwg) instead"
        )
    return family


def static_roots() -> tuple[Path, ...]:
    """The directories whose files a PDF may embed: STATIC_ROOT and STATICFILES_DIRS."""
    roots = []
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(settings.STATIC_ROOT)
    for entry in getattr(settings, "STATICFILES_DIRS", ()):
        roots.append(entry[1] if isinstance(entry, list | tuple) else entry)
    return tuple(Path(root).resolve() for root in roots)


class LocalOnlyFetcher(URLFetcher):
    """Fetch embedded (``data:``) resources and files inside ``roots``; nothing else.

    ``roots`` defaults to the static directories (``static_roots()``). A ``file:`` URL is
    resolved (``..`` and symbolic links) before the check; a URL with a host, another scheme
    or a path outside the roots raises PermissionError, which WeasyPrint logs as a failed
    fetch and renders the document without that resource.
    """

    def __init__(self, roots: tuple[Path, ...] | None = None) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.roots = (
            static_roots() if roots is None else tuple(Path(root).resolve() for root in roots)
        )

    def allowed_path(self, url: str) -> Path:
        """The local path of a ``file:`` URL inside the roots, or PermissionError."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise PermissionError(f"not a local file URL: {url}")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise PermissionError(f"{url}: only files of the static directories go into a PDF")
        return path

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self.allowed_path(url)
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime_type})
        raise PermissionError(f"URL scheme {scheme or '(none)'!r} is not fetched into a PDF: {url}")


def render_pdf(template_name: str, context: dict, *, base_url: str | None = None) -> bytes:
    """Render a Django template to HTML and WeasyPrint to PDF bytes, in Thai.

    The template is rendered with Thai active, whatever the viewer's interface language: an
    official document is Thai. ``context`` gets ``pdf_font_family``
    (settings.PDF_FONT_FAMILY, "Laksaman") unless it sets it. ``base_url`` resolves relative
    ``file:`` URLs (images) in the template; only files of the static directories are read
    (``LocalOnlyFetcher``). The Thai text map of the embedded fonts is corrected so that the
    text extracts (see ``_fix_thai_text_map``).
    """
    with translation.override("th"):
        full_context = {"pdf_font_family": _font_family(), **context}
        html = render_to_string(template_name, full_context)
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=LocalOnlyFetcher())
        return document.write_pdf(finisher=_fix_thai_text_map)


# --- text extraction of Thai ------------------------------------------------------------------
#
# A PDF maps each glyph to text once, for the whole document (the font's ToUnicode map).
# WeasyPrint 70 takes that text from the first place a glyph is drawn, by its position in the
# shaped cluster. Thai shaping breaks this: HarfBuzz decomposes SARA AM (ำ) into NIKHAHIT + SARA
# AA and may reorder the marks of a cluster ("ผู้" is drawn ผ, ้, ู), so glyphs get the text of
# their neighbours and every later use is wrong: "ผู้สูงอายุ" extracted as "ผู้ส้งอายุ", "ด้วย"
# as "ดูวย", "ตำบล" as "ตาบล". The finisher below maps each Thai glyph to its own character
# instead, read from the font (its cmap, else its glyph name: "uni0E49.low" -> "้"). Extracted
# text is then right up to Unicode normalisation: marks of a cluster may come out of canonical
# order (NFC restores it) and SARA AM comes out as NIKHAHIT + SARA AA (its NFKC form).

_THAI = re.compile(r"[\u0e00-\u0e7f]+")
_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})> <([0-9a-fA-F]*)>")
_REFERENCE = re.compile(rb"(\d+) 0 R")
_glyph_text_cache: dict[bytes, dict[int, str]] = {}


def _thai_glyph_texts(font_file: bytes, index: int) -> dict[int, str]:
    """{glyph id: its Thai text} for the Thai glyphs of a font file."""
    key = hashlib.sha256(font_file).digest() + index.to_bytes(4, "big")
    if key in _glyph_text_cache:
        return _glyph_text_cache[key]
    font = TTFont(io.BytesIO(font_file), fontNumber=index, lazy=True)
    order = font.getGlyphOrder()
    by_glyph: dict[str, list[int]] = {}
    for codepoint, name in sorted((font.getBestCmap() or {}).items()):
        if not 0xE000 <= codepoint <= 0xF8FF:  # TLWG fonts also map legacy Thai PUA codes
            by_glyph.setdefault(name, []).append(codepoint)
    texts = {}
    for glyph_id, name in enumerate(order):
        codepoints = by_glyph.get(name)
        text = chr(codepoints[0]) if codepoints else glyph_name_to_text(name.split(".", 1)[0])
        if text and _THAI.fullmatch(text):
            texts[glyph_id] = text
    _glyph_text_cache[key] = texts
    return texts


def _fix_thai_text_map(document, pdf) -> None:
    """WeasyPrint finisher: rewrite Thai entries of each font's ToUnicode map (see above)."""
    try:
        fonts = {font.name: font for font in document.fonts.values()}
        for obj in list(pdf.objects):
            if not isinstance(obj, dict) or obj.get("Type") != "/Font":
                continue
            font = fonts.get(obj.get("BaseFont"))
            match = _REFERENCE.fullmatch(bytes(obj.get("ToUnicode") or b""))
            if font is None or font.bitmap or match is None:
                continue
            texts = _thai_glyph_texts(get_hb_object_data(font.hb_face), font.index)
            if not texts:
                continue
            stream = pdf.objects[int(match[1])]
            for i, line in enumerate(stream.stream):
                entry = _BFCHAR.fullmatch(line) if isinstance(line, bytes) else None
                if entry is None:
                    continue
                text = texts.get(int(entry[1], 16))
                if text is not None:
                    stream.stream[i] = b"<%s> <%s>" % (
                        entry[1],
                        text.encode("utf-16-be").hex().encode(),
                    )
    except Exception:  # never lose a document over its text map
        logger.warning("could not correct the Thai text map of a PDF", exc_info=True)


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def _clean_filename(filename: str) -> str:
    name = unicodedata.normalize("NFC", filename or "")
    name = _UNSAFE_NAME.sub("_", name).strip(" ._") or "document"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name


def _ascii_fallback(name: str) -> str:
    stem = name[:-4]
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem).strip("._")
    return f"{ascii_stem or 'document'}.pdf"


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """An HTTP response serving PDF bytes, shown in the browser (inline) or downloaded.

    Content-Disposition carries an ASCII ``filename`` for old clients and the real (Thai)
    name as RFC 5987 ``filename*=UTF-8''...``; path separators, quotes and control
    characters are removed from the name. Documents hold personal data: not cached.
    """
    name = _clean_filename(filename)
    disposition = "inline" if inline else "attachment"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'{disposition}; filename="{_ascii_fallback(name)}"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    response["Content-Length"] = str(len(pdf))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
