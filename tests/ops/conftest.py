from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _media_folder(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An installation's media folder exists (the runbook makes it); the health check measures its disk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
