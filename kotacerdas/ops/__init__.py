"""Operations: the health endpoint, the request id and the JSON log lines (docs/operations.md).

Infrastructure beside the pipeline: it reads the database and the task queue, never an app's tables.
"""
