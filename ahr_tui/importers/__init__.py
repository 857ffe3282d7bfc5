"""File -> validated records + problems, line-precise. No database access.

One module per kind (``sellers``, ``scores``, ``cases``, ``report``) over shared pieces: the CSV
reader and rejects writer (``csvfile``), the field formats (``fields``) and the problem list
(``problems``). What validation needs from the database (the known accounts) is passed in by
``service.imports``, which also applies the records.
"""
