from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kotacerdas.regions.models import Region
from kotacerdas.selfassessment.models import Programme

SMART_DIMENSIONS = [
    ("smart_governance", "Smart Governance"),
    ("smart_branding", "Smart Branding"),
    ("smart_economy", "Smart Economy"),
    ("smart_living", "Smart Living"),
    ("smart_society", "Smart Society"),
    ("smart_environment", "Smart Environment"),
]


class ProgrammeForm(forms.ModelForm[Programme]):
    smart_dimension = forms.ChoiceField(label=_("Dimensi smart city"), choices=SMART_DIMENSIONS)
    partners = forms.CharField(
        label=_("Daerah mitra"),
        required=False,
        help_text=_("Kode atau nama daerah mitra, dipisah baris baru (mis. 51.71 atau KOTA DENPASAR)."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "smart_dimension",
            "kind",
            "year_started",
            "status",
            "apbd_share",
            "non_apbd_sources",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, resolver: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.resolver = resolver
        if self.instance.pk:
            self.fields["partners"].initial = "\n".join(r.code for r in self.instance.partner_regions.all())

    def clean_apbd_share(self) -> Any:
        # The database refuses a share outside 0–100 too (a constraint); said here next to the field.
        share = self.cleaned_data.get("apbd_share")
        if share is not None and not 0 <= share <= 100:
            raise forms.ValidationError(_("Porsi APBD harus antara 0 dan 100 persen."))
        return share

    def clean_year_started(self) -> int:
        year = self.cleaned_data["year_started"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Tahun tidak masuk akal."))
        return int(year)

    def clean_partners(self) -> list[Region]:
        from kotacerdas.regions.naming import RegionNameError

        regions, errors = [], []
        for line in self.cleaned_data["partners"].splitlines():
            if not line.strip():
                continue
            try:
                regions.append(self.resolver.resolve(line))
            except RegionNameError as exc:
                errors.append(str(exc))
        if errors:
            raise forms.ValidationError(errors)
        return regions


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Berkas bukti"))
