from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 25 * 1024 * 1024


class VerifyForm(forms.Form):
    """Either a verification code (as printed on a report) or the PDF file itself."""

    code = forms.CharField(label=_("Kode verifikasi"), max_length=40, required=False)
    file = forms.FileField(label=_("Berkas PDF"), required=False)

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Berkas lebih dari 25 MB; laporan platform ini jauh lebih kecil."))
        return upload

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if not data.get("code") and not data.get("file"):
            raise forms.ValidationError(_("Isikan kode verifikasi atau pilih berkas PDF."))
        return data
