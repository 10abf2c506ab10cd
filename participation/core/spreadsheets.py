"""Spreadsheets the platform hands out: CSV streamed line by line, XLSX in write-only mode.

The one home of the rule against CSV injection: a spreadsheet runs a cell that starts like a
formula (``=``, ``+``, ``-``, ``@``, a tab, a carriage return), so every text cell that does
is given a leading quote. Numbers stay numbers. Every export of the platform (expressions,
the audit log, registrants, open data) writes through this module.
"""

import csv
import datetime as dt
import json
import re
import tempfile
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"  # what a French spreadsheet expects
# Characters XML 1.0 (hence XLSX) cannot hold.
ILLEGAL_XLSX = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def neutralised(text: str) -> str:
    """``text`` as a cell no spreadsheet will run."""
    return "'" + text if text.startswith(FORMULA_START) else text


def safe_cell(value) -> str | int | float:
    """A value as a CSV cell: numbers as they are, everything else as safe text."""
    if value is None:
        return ""
    cls = value.__class__
    if cls is str:
        return neutralised(value)
    if cls is int or cls is float:
        return value
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dict | list):
        return neutralised(json.dumps(value, ensure_ascii=False, sort_keys=True))
    return neutralised(str(value))


class _Echo:
    """A file-like object whose ``write`` hands back what it is given (for csv.writer)."""

    def write(self, value):
        return value


def csv_lines(
    columns: list[str], rows: Iterable[Iterable], *, delimiter: str = CSV_DELIMITER, bom=True
) -> Iterator[str]:
    """CSV text line by line: a BOM (accents in Excel) if asked, the header, then the rows."""
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator="\r\n")
    yield ("\ufeff" if bom else "") + writer.writerow(columns)
    for row in rows:
        # The two common cases inline (an export writes millions of cells), the rest by safe_cell.
        yield writer.writerow(
            [
                value
                if value.__class__ is int
                else ("'" + value if value.startswith(FORMULA_START) else value)
                if value.__class__ is str
                else safe_cell(value)
                for value in row
            ]
        )


def csv_response(lines: Iterable[str], filename: str, *, content_type="text/csv; charset=utf-8"):
    """A streamed attachment: constant memory whatever the number of lines."""
    response = StreamingHttpResponse(lines, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_value(value):
    if value is None:
        return ""
    if isinstance(value, int | float | dt.datetime | dt.date):
        return value
    return neutralised(ILLEGAL_XLSX.sub("", str(value)))


def _xlsx_cell(sheet, value):
    value = xlsx_value(value)
    if isinstance(value, dt.datetime):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY HH:MM"
        return cell
    return value


def write_xlsx(
    fileobj,
    sheets: Iterable[tuple[str, list[str], Iterable[list], list[int] | None]],
) -> None:
    """Write sheets ``(title, columns, rows, widths)`` to ``fileobj`` in write-only mode."""
    # openpyxl brings NumPy (0.1 s): imported by the first export, not by every start.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for title, columns, rows, widths in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for index, width in enumerate(widths or []):
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        sheet.freeze_panes = "A2"
        header_cells = []
        for name in columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            cell.alignment = wrap
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    workbook.save(fileobj)


def xlsx_tempfile(sheets):
    """A temporary file holding the workbook, rewound; closing it deletes it."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    write_xlsx(handle, sheets)
    handle.seek(0)
    return handle
