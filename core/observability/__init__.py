"""Operations: the request id carried through logs and Celery tasks, JSON log lines,
Prometheus metrics and optional error reporting to Sentry."""
