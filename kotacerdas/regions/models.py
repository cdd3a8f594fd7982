from django.db import models
from django.utils.translation import gettext_lazy as _

from kotacerdas.regions.naming import RegionName


class Province(models.Model):
    code = models.CharField(_("kode"), max_length=2, unique=True)
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        verbose_name = _("provinsi")
        verbose_name_plural = _("provinsi")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RegionQuerySet(models.QuerySet["Region"]):
    def visible_to(self, user: object) -> "RegionQuerySet":
        # The registry is public information: every user may see every region.
        return self


class Region(models.Model):
    """A regency (kabupaten) or city (kota), identified by its Kemendagri code."""

    code = models.CharField(_("kode"), max_length=5, unique=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="regions", verbose_name=_("provinsi")
    )
    name = models.CharField(_("nama"), max_length=100)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("daerah")
        verbose_name_plural = _("daerah")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def naming(self) -> RegionName:
        return RegionName(code=self.code, name=self.name)

    @property
    def table_name(self) -> str:
        return self.naming.table_name

    @property
    def head_title(self) -> str:
        return self.naming.head_title
