"""Backups that restore: ``kotacerdas backup -o FILE`` and ``kotacerdas restore FILE`` (docs/backup.md)."""
