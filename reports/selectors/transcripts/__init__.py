"""An officer's training record (transcript): every course, module and lesson completion with
the content version seen, quiz attempts and lab results, cohort sessions and attendance,
certificates, hours per category, and for each line the audit event behind it. A fixed number
of queries however long the record (pinned in tests/reports/test_transcripts.py)."""

from reports.selectors.transcripts.read import (
    RECENT_TRANSCRIPTS,
    officer_agency,
    training_record,
    transcripts_requested,
)
from reports.selectors.transcripts.record import (
    ATTEMPT_ACTIONS,
    ATTENDANCE_ACTIONS,
    CERTIFICATE_ACTIONS,
    COMMIT_PREFIX,
    COMPLETION_ACTIONS,
    ENROLLMENT_ACTIONS,
    HASH_PREFIX,
    LESSON_ACTIONS,
    CertificateLine,
    CourseLine,
    HoursLine,
    LabLine,
    LessonLine,
    ModuleLine,
    QuizLine,
    SessionLine,
    TrainingRecord,
    certificate_status,
    certificate_status_label,
)
from reports.selectors.transcripts.rows import transcript_columns, transcript_rows

__all__ = [
    "ATTEMPT_ACTIONS",
    "ATTENDANCE_ACTIONS",
    "CERTIFICATE_ACTIONS",
    "COMMIT_PREFIX",
    "COMPLETION_ACTIONS",
    "ENROLLMENT_ACTIONS",
    "HASH_PREFIX",
    "LESSON_ACTIONS",
    "RECENT_TRANSCRIPTS",
    "CertificateLine",
    "CourseLine",
    "HoursLine",
    "LabLine",
    "LessonLine",
    "ModuleLine",
    "QuizLine",
    "SessionLine",
    "TrainingRecord",
    "certificate_status",
    "certificate_status_label",
    "officer_agency",
    "training_record",
    "transcript_columns",
    "transcript_rows",
    "transcripts_requested",
]
