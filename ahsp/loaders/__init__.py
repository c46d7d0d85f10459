"""Loaders: the read side. ORM -> frozen dataclasses for one page or document, in a fixed number of queries
whatever the size of the project (house style 2.2, ../shared/docs/architecture.md).

One module per page or document; the money and schedule math they feed is in ``ahsp.calculations``:

- ``rab``: the Rekap RAB (summary, rows in tree order, the streamed full RAB); ``rab_notes``: what every
  RAB page and document states beside the figures (BUK %, the draft mark);
- ``work_breakdown``: the Daftar Pekerjaan tree (sections and work items, numbered);
- ``analyses``: the Rincian AHSP sheets;
- ``prices``: the Daftar Harga Satuan Dasar (page counts and document);
- ``gantt``: the Jadwal page's window of weeks; ``schedule``: the schedule summary (weekly planned and
  actual %, earned value) behind the Gantt, Progres, Kurva S and the documents; ``schedule_table``: the
  Jadwal Pelaksanaan document;
- ``progress``: the Progres and Kurva S pages;
- ``requirements``: the Rekap Kebutuhan; ``requirements_weekly``: per week; ``requirements_doc``: the
  document;
- ``dashboard``: the dashboard widgets; ``audit``: the audit trail pages and the diff of one event;
- ``_sums``: exact sums of money and schedule values computed in the database (shared).

Loaders import ``ahsp.models`` and ``ahsp.calculations`` only (plus the formatting helpers and the dashboard
cache); never services, exports, importers, views or tasks (``ahsp/tests/test_import_layers.py``).
"""
