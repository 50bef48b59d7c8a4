"""The content pipeline: content/ is read (source), checked (validate), rendered to
sanitized HTML (render) and written to the database (sync) by manage.py sync_content."""
