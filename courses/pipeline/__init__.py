"""The content pipeline behind manage.py sync_content: content/ is read (source), checked
(validate), rendered to sanitized HTML (render, with images checked in media) and written to
the database (sync). Requests never parse Markdown; they read what sync stored."""
