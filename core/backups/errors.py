"""The one error backup and restore raise: the command prints it and exits non-zero."""


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""
