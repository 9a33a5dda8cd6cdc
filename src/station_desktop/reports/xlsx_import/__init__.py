"""Import the roster a station already keeps in Excel (花名册.xlsx): read it and plan it.

The pieces, in the order the GUI wizard uses them:

* :mod:`.workbook` — :func:`read_workbook` → :class:`SheetData` (sheet
  chosen, merges filled, header row found, data rows kept with their Excel
  row numbers);
* :mod:`.headers` — :func:`guess_mapping` / :func:`load_remembered_mapping`
  → a :data:`ColumnMapping` the user may correct, :func:`check_mapping`;
* :mod:`.cells` — each cell converted to what the person form would receive;
* :mod:`.plan` — :func:`plan_import` → an :class:`ImportPlan`: the
  :class:`ImportReport` row by row and the persons to write.

Nothing here writes to the database: the import itself (the plan written in
one unit of work, the audit event, the remembered mapping) is
:func:`station_desktop.services.roster_import.import_roster`.
"""

from station_desktop.reports.xlsx_import.cells import MANGLED_ID, VALUE_SYNONYMS, clean_text_value
from station_desktop.reports.xlsx_import.headers import (
    HEADER_SYNONYMS,
    IGNORED_HEADERS,
    ColumnMapping,
    check_mapping,
    field_for_header,
    guess_mapping,
    header_signature,
    load_remembered_mapping,
    mapping_key,
    mapping_text,
    normalize_header,
)
from station_desktop.reports.xlsx_import.plan import (
    CANCELLED,
    ImportPlan,
    ImportReport,
    PersonWrite,
    RowResult,
    plan_import,
)
from station_desktop.reports.xlsx_import.workbook import (
    HEADER_SEARCH_ROWS,
    SheetData,
    read_workbook,
)

__all__ = [
    "CANCELLED", "HEADER_SEARCH_ROWS", "HEADER_SYNONYMS", "IGNORED_HEADERS", "MANGLED_ID",
    "VALUE_SYNONYMS", "ColumnMapping", "ImportPlan", "ImportReport", "PersonWrite", "RowResult",
    "SheetData", "check_mapping", "clean_text_value", "field_for_header", "guess_mapping",
    "header_signature", "load_remembered_mapping", "mapping_key", "mapping_text",
    "normalize_header", "plan_import", "read_workbook",
]
