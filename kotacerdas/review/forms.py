from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kotacerdas.accounts.models import Role
from kotacerdas.review.interviews import SlotPlan


class FindingsForm(forms.Form):
    strengths = forms.CharField(
        label=_("Kekuatan (satu butir per baris)"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    weaknesses = forms.CharField(
        label=_("Kelemahan (satu butir per baris)"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    recommendations = forms.CharField(
        label=_("Rekomendasi (satu butir per baris)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class AgreedScoreForm(forms.Form):
    number = forms.IntegerField(label=_("Nomor pertanyaan"), min_value=1)
    score = forms.DecimalField(label=_("Skor kesepakatan"), min_value=1, max_value=4, decimal_places=2)
    reason = forms.CharField(label=_("Alasan"), widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(forms.Form):
    number = forms.IntegerField(label=_("Nomor pertanyaan"), min_value=1)
    argument = forms.CharField(label=_("Argumen"), widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("Bukti baru (opsional)"), required=False)


class RespondForm(forms.Form):
    response = forms.CharField(label=_("Jawaban panel"), widget=forms.Textarea(attrs={"rows": 2}))
    new_score = forms.IntegerField(
        label=_("Skor baru Anda (opsional)"), min_value=1, max_value=4, required=False
    )


class AssignForm(forms.Form):
    email = forms.EmailField(label=_("E-mail asesor"))


class BulkAssignForm(forms.Form):
    file = forms.FileField(label=_("Berkas CSV: region,assessor_email"))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Alasan pengembalian"), widget=forms.Textarea(attrs={"rows": 2}))


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    name = forms.CharField(label=_("Nama lengkap"), required=False)
    role = forms.ChoiceField(
        label=_("Peran"),
        choices=[
            (Role.OPERATOR, Role.OPERATOR.label),
            (Role.ASSESSOR, Role.ASSESSOR.label),
            (Role.ADMIN, Role.ADMIN.label),
        ],
    )
    region = forms.CharField(label=_("Daerah (untuk operator): kode atau nama"), required=False)
    institution = forms.CharField(label=_("Institusi"), required=False)


class ScheduleForm(forms.Form):
    panel_size = forms.IntegerField(label=_("Asesor per panel"), min_value=1, max_value=15, initial=5)
    daily_cap = forms.IntegerField(label=_("Sesi per asesor per hari, paling banyak"), min_value=1, initial=2)
    slots = forms.CharField(
        label=_("Jam mulai sesi (WIB), dipisahkan koma"), initial=SlotPlan().text(), max_length=200
    )
    slot_minutes = forms.IntegerField(label=_("Lama sesi (menit)"), min_value=15, max_value=480, initial=120)
    include_unsubmitted = forms.BooleanField(
        label=_("Sertakan daerah yang belum mengirim penilaian mandiri (latihan)"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "slots" in data and "slot_minutes" in data:
            try:
                data["plan"] = SlotPlan.parse(data["slots"], data["slot_minutes"])
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data


class UnavailabilityForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Siapa"),
        choices=[("assessor", _("Asesor (e-mail)")), ("region", _("Daerah (kode atau nama)"))],
    )
    who = forms.CharField(label=_("E-mail asesor atau daerah"), max_length=200)
    day = forms.DateField(label=_("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Alasan"), max_length=300)
