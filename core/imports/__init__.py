"""The confirm-step CSV import, one component for every import: reader.py reads the file
(size, text, header and row caps), forms.py holds the upload and the signed confirmation,
spec.py the description of one import (ImportSpec: its columns, checks, preview and
all-or-nothing apply) and views.py the page (csv_import_page)."""

from core.imports.forms import CsvUploadForm, SignedRowsForm, sign_rows
from core.imports.reader import MAX_BYTES, MAX_ROWS, CsvFileError, read_csv
from core.imports.spec import ImportProblems, ImportSpec, Problem, Row, file_problem

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "CsvFileError",
    "CsvUploadForm",
    "ImportProblems",
    "ImportSpec",
    "Problem",
    "Row",
    "SignedRowsForm",
    "file_problem",
    "read_csv",
    "sign_rows",
]
