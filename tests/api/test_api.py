import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_openapi_document_is_served(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cycles/{year}/results" in document["paths"]


def test_results_list_uses_the_contract_columns(client: Client) -> None:
    rows = client.get("/api/v1/cycles/2024/results").json()
    assert len(rows) == 140
    badung = next(r for r in rows if r["region_code"] == "51.03")
    assert badung == {
        "region_code": "51.03",
        "region": "KAB. BADUNG",
        "track": "REGULER",
        "baseline": "3.56",
        "output": "2.73",
        "outcome": "3.27",
        "impact": "3.18",
        "quick_wins": "2.80",
        "collaboration": None,
        "final": "3.08",
        "improvement": "0.11",
        "rank": 59,
        "rank_median": None,  # until `kotacerdas robustness` has run (tests/results/test_robustness.py)
        "rank_low": None,
        "rank_high": None,
    }


def test_region_detail_and_missing_things(client: Client) -> None:
    detail = client.get("/api/v1/cycles/2024/results/51.03").json()
    assert detail["final"] == "3.08" and len(detail["dimensions"]) == 5
    assert client.get("/api/v1/cycles/2024/results/99.99").status_code == 404
    assert client.get("/api/v1/cycles/1999/results").status_code == 404
    assert client.get("/api/v1/cycles").json() == [
        {
            "year": 2024,
            "name": "Evaluasi Tahap II Implementasi Kota Cerdas (Smart City) Tahun 2024",
            "published_revision": 1,
        }
    ]
