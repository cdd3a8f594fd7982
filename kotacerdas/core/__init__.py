"""Shared infrastructure below every app: the table reader, the bulk SQL writer, the cache helper, the
read-only admin mixin, the base command for ``--year`` and the system actors. It imports no other
``kotacerdas`` app (a test checks it)."""
