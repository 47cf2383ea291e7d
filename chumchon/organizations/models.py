"""The area tree: every record in Chumchon belongs to an area.

Levels are data (AreaKind): Bangkok is city > zone > district > community; a municipality may be
city > community. Each area stores its materialised `path` of codes ("/BKK/BKK-01/1001/"), so a
subtree is one indexed prefix match, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chumchon.core.models import BilingualNameMixin, TimeStampedModel


class AreaKind(BilingualNameMixin, models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=0, help_text=_("Display order: 0 for the top level.")
    )

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("area level")
        verbose_name_plural = _("area levels")

    def __str__(self) -> str:
        return self.name


class AreaQuerySet(models.QuerySet):
    def roots(self) -> AreaQuerySet:
        return self.filter(parent__isnull=True)

    def of_kind(self, kind_code: str) -> AreaQuerySet:
        return self.filter(kind__code=kind_code)

    def subtree(self, area: Area) -> AreaQuerySet:
        return self.filter(path__startswith=area.path)

    def active(self) -> AreaQuerySet:
        return self.filter(is_active=True)


class Area(BilingualNameMixin, TimeStampedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    kind = models.ForeignKey(AreaKind, on_delete=models.PROTECT, verbose_name=_("level"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent area"),
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        indexes = [models.Index(fields=["kind", "path"])]

    @property
    def display_name(self) -> str:
        """The name as officials write it: "เขตพระนคร" / "Phra Nakhon District"."""
        english = (get_language() or "th").startswith("en")
        if self.kind.code == "district":
            return f"{self.name_en} District" if english and self.name_en else f"เขต{self.name_th}"
        return self.name

    @property
    def area_path(self) -> str:
        return self.path

    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.strip("/").split("/") if code]

    def ancestors(self, include_self: bool = True) -> list[Area]:
        codes = self.ancestor_codes()
        if not include_self:
            codes = codes[:-1]
        by_code = {a.code: a for a in Area.objects.filter(code__in=codes).select_related("kind")}
        return [by_code[c] for c in codes if c in by_code]

    def is_within(self, other: Area) -> bool:
        return self.path.startswith(other.path)

    @staticmethod
    def build_path(parent: Area | None, code: str) -> str:
        return f"{parent.path if parent else '/'}{code}/"
