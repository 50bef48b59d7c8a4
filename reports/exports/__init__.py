"""Table exports (CSV and XLSX): a registry of the tables that can be downloaded, the writers,
and (over EXPORT_ASYNC_ROWS rows) the jobs a worker builds.

To offer a table as a download:
1. register an ExportTable (registry.py) in `reports/exports/tables_<report>.py`, and import
   that module in ReportsConfig.ready() (reports/apps.py);
2. put `{% include "reports/includes/export_buttons.html" with table="<name>" %}` on the page.
   The page's query string (less `page`) becomes the table's parameters; the include adds
   `agency_id`, `cohort_id`, `user_id` and `country_code` when given, as `agency`, `cohort`,
   `user_id` and `country`, for values in the page's path, not its query string.

The links go to `reports:export` (exports/<table>.<csv|xlsx>?<params>): the table's scope
first (404), the password again for a personal table, then the file with a "report.export"
audit row, or over EXPORT_ASYNC_ROWS rows a job built by the worker (reports.tasks).
"""
