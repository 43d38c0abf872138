"""Logical, database-agnostic backups: `flask --app wsgi backup create | verify | restore`.

An archive is an uncompressed tar holding `manifest.json`, one gzip-compressed JSON Lines member per table
(`data/<table>.jsonl.gz`, one JSON array per row in the manifest's column order) and the upload folder under
`uploads/`. Values are written from their Python types, not from a dialect's storage, so an archive taken on
SQLite restores into PostgreSQL or MariaDB and back: dates, times and timestamps as ISO 8601, decimals as
strings, bytes as base64, enum members by name. Tables are read in one snapshot transaction and streamed in
batches, so memory stays flat whatever the size of the activity table.

A restore needs an empty database migrated to the archive's revision (`flask db upgrade`), because the schema
belongs to the migrations, not to the archive. `--force` empties a non-empty one first. The restore is one
transaction: a corrupted member or a failed insert leaves the database as it was.
"""
