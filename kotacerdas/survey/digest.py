"""Fingerprints that tell an identical replay of a response from a conflicting one."""

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime

# What json.dumps(..., separators=(",", ":")) builds per call, built once: the same text.
_CANONICAL = json.JSONEncoder(separators=(",", ":"))


def response_digest(
    region_code: str, dimension: str, respondent: str, submitted_at: datetime, answers: Mapping[int, int]
) -> str:
    """A fingerprint of a response's content as the import format carries it (CONTRACT.md, raw survey
    responses): an export re-imported over the same database is recognised as already stored."""
    canonical = _CANONICAL.encode(
        [region_code, dimension, respondent, submitted_at.timestamp(), sorted(answers.items())]
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def submission_digest(
    link_token: str,
    answers: Mapping[int, int],
    started_at: datetime,
    completed_at: datetime | None,
    contact_hash: str,
    consent: bool,
) -> str:
    """A fingerprint of a public submission's body: a retry of the same body gets the same digest whatever
    the server's clock says when it arrives."""
    canonical = _CANONICAL.encode(
        [
            link_token,
            sorted(answers.items()),
            started_at.timestamp(),
            None if completed_at is None else completed_at.timestamp(),
            contact_hash,
            consent,
        ]
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
