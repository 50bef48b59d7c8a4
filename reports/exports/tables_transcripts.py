"""The export table "transcript": one officer's training record, the same lines as its CSV
download (reports.selectors.transcripts.transcript_rows builds both). Parameter: user_id."""

from django.http import Http404
from django.utils.translation import gettext as _

from reports.access import access_transcript
from reports.exports.registry import ExportTable, Params, export_table_register
from reports.selectors.transcripts import (
    officer_agency,
    training_record,
    transcript_columns,
    transcript_rows,
)


def _officer_id(params: Params) -> int:
    try:
        return int(str(params.get("user_id", "")))
    except ValueError:
        raise Http404 from None


def _scope(user, params: Params):
    """The officer's agency (newest approved or left officer membership), or None."""
    return officer_agency(access_transcript(user=user, officer_id=_officer_id(params)))


def _rows(user, params: Params) -> list[list]:
    officer = access_transcript(user=user, officer_id=_officer_id(params))
    return transcript_rows(training_record(officer=officer))


TRANSCRIPT = export_table_register(
    ExportTable(
        name="transcript",
        title=lambda params: _("Training record"),
        personal=True,
        scope=_scope,
        columns=lambda params: transcript_columns(),
        count=lambda user, params: len(_rows(user, params)),
        rows=_rows,
        own=lambda user, params: _officer_id(params) == user.pk,
    )
)
