from django.contrib import admin

from kotacerdas.regions.models import Province, Region


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin[Province]):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ("code", "name", "province")
    list_filter = ("province",)
    search_fields = ("code", "name")
