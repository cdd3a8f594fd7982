"""A question's history told in sentences: each audit event of one region's question as what happened
("Jawaban disimpan", "Skor asesor dicatat") and what it was before and after ("level 3 · penjelasan …"),
never as the stored action code or a dictionary. The audit log itself (the Django admin) keeps the raw
record."""

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kotacerdas.audit.models import AuditEvent

ACTIONS: dict[str, Promise] = {
    "answer.saved": gettext_lazy("Jawaban penilaian mandiri disimpan"),
    "evidence.uploaded": gettext_lazy("Bukti diunggah"),
    "evidence.removed": gettext_lazy("Bukti dihapus"),
    "score.recorded": gettext_lazy("Skor asesor dicatat"),
    "score.assessor.changed": gettext_lazy("Skor asesor diubah lewat impor"),
    "score.agreed": gettext_lazy("Skor kesepakatan dicatat"),
    "score.agreed.changed": gettext_lazy("Skor kesepakatan diubah lewat impor"),
    "score.changed_on_reply": gettext_lazy("Skor diubah atas sanggahan"),
    "reply.created": gettext_lazy("Sanggahan diajukan daerah"),
    "reply.answered": gettext_lazy("Sanggahan dijawab panel"),
    "instrument.question_added": gettext_lazy("Pertanyaan ditambahkan ke instrumen"),
    "instrument.question_changed": gettext_lazy("Pertanyaan di instrumen diubah"),
    "instrument.question_deleted": gettext_lazy("Pertanyaan dihapus dari instrumen"),
}

# The keys the events store, as a reader names them. Internal bookkeeping (versions, hashes) is left out.
FIELDS: dict[str, Promise] = {
    "level": gettext_lazy("level"),
    "justification": gettext_lazy("penjelasan"),
    "score": gettext_lazy("skor"),
    "note": gettext_lazy("catatan"),
    "reason": gettext_lazy("alasan"),
    "argument": gettext_lazy("argumen"),
    "response": gettext_lazy("jawaban"),
    "name": gettext_lazy("berkas"),
    "row": gettext_lazy("baris"),
    "text": gettext_lazy("teks"),
    "sub_indicator": gettext_lazy("sub-indikator"),
    "levels": gettext_lazy("deskripsi level"),
    "previous": gettext_lazy("pertanyaan siklus sebelumnya"),
    "number": gettext_lazy("nomor"),
    "dimension": gettext_lazy("dimensi"),
    "indicator": gettext_lazy("indikator"),
}
HIDDEN = {"version", "sha256", "size"}


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    what: str
    before: str
    after: str
    who: str


def describe(event: AuditEvent) -> HistoryEntry:
    """One event as a line of the history table."""
    what = ACTIONS.get(event.action)
    return HistoryEntry(
        event=event,
        what=str(what) if what is not None else _("Perubahan lain tercatat"),
        before=_values(event.old),
        after=_values(event.new),
        who=event.actor.email if event.actor_id and event.actor else _actor_label(event.actor_label),
    )


def _actor_label(label: str) -> str:
    return {"cli": _("baris perintah"), "demo": _("data demo"), "worker": _("proses latar")}.get(label, label)


def _values(value: Any) -> str:
    if value is None or value == {}:
        return ""
    if not isinstance(value, dict):
        return _value(value)
    parts = []
    for key, item in value.items():
        if key in HIDDEN:
            continue
        label = FIELDS.get(key)
        parts.append(f"{label if label is not None else key.replace('_', ' ')}: {_value(item)}")
    return " · ".join(parts)


def _value(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_value(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value)
    return str(value)
