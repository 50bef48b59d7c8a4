"""Table exports (CSV and XLSX): a registry of the tables that can be downloaded, the writers,
and (over EXPORT_ASYNC_ROWS rows) the jobs a worker builds."""
