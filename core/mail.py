"""Plain-text mail built from templates, for every app."""

import re


def mail_text(subject: str, body: str) -> tuple[str, str]:
    """The subject on one line, and the body without the runs of blank lines that a
    template's optional parts leave behind, ending in one newline."""
    body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
    return " ".join(subject.split()), body
