"""Certificate records, PDF rendering with WeasyPrint, public verification; Celery tasks."""
