"""The stored fingerprints must never change: a re-import or a retried submission is recognised by them."""

from datetime import UTC, datetime, timedelta, timezone

from kotacerdas.survey.digest import response_digest, submission_digest

MOMENT = datetime(2024, 11, 5, 9, 30, 15, tzinfo=timezone(timedelta(hours=7)))


def test_a_response_digest_is_what_earlier_releases_stored() -> None:
    assert (
        response_digest("51.03", "smart_living", "R-17", MOMENT, {3: 4, 1: 2, 2: 3})
        == "7a5beb6d69158a6eeb3611d07b2871c5d952b90a2f1834513c65087cc38a692b"
    )
    # The same moment in another zone, the answers in another order: the same response.
    assert response_digest(
        "51.03", "smart_living", "R-17", MOMENT.astimezone(UTC), {1: 2, 2: 3, 3: 4}
    ) == response_digest("51.03", "smart_living", "R-17", MOMENT, {3: 4, 1: 2, 2: 3})


def test_a_submission_digest_is_what_earlier_releases_stored() -> None:
    assert (
        submission_digest("tok123", {2: 1, 1: 4}, MOMENT, None, "abc", True)
        == "224e86e8ea1639417baef05ea5d9f17866beba1416975b8ce68e3ccba47034e9"
    )
    assert (
        submission_digest("tok123", {2: 1, 1: 4}, MOMENT, MOMENT + timedelta(seconds=95), "", False)
        == "d670fbc4d5307413a79b9428655a7a0058ffaad342bfa277a683d1377efe9ab0"
    )
