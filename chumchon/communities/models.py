"""The community registry: communities (leaves of the area tree), households and people.

Scoping: every record carries `area` (a community area, or a district area for people quick-
registered without a household), so `accounts.scoping` filters on `area__path` everywhere.

Personal data: a person's national ID is stored twice, for two purposes: `national_id_hash`
(keyed HMAC, unique, for exact-match lookup) and `national_id` (the digits, shown only masked or
through a logged reveal). `PERSONAL_FIELDS` lists what audit events and history diffs mask.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chumchon.core.models import BilingualNameMixin, TimeStampedModel
from chumchon.core.national_id import mask_national_id
from chumchon.organizations.models import Area

from . import domain


class CommunityType(BilingualNameMixin, models.Model):
    """Types are data: regulations add new ones (ชุมชนอาคารสูง, ชุมชนรูปแบบพิเศษ)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("community type")
        verbose_name_plural = _("community types")

    def __str__(self) -> str:
        return self.name


class CommunityQuerySet(models.QuerySet):
    def active(self) -> CommunityQuerySet:
        return self.filter(status=Community.Status.ACTIVE)

    def existing_on(self, day: date) -> CommunityQuerySet:
        """Communities that existed on `day`: announced by then (or date unknown), and not yet
        dissolved (a community dissolved on `day` no longer counts that day)."""
        return self.filter(Q(announced_on__isnull=True) | Q(announced_on__lte=day)).filter(
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
        )


class Community(TimeStampedModel):
    """A community's registry record; its code, names and district are its `area`'s."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISSOLVED = "dissolved", _("Dissolved")

    area = models.OneToOneField(
        Area, on_delete=models.PROTECT, related_name="community", verbose_name=_("area")
    )
    type = models.ForeignKey(
        CommunityType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type")
    )
    announcement_no = models.CharField(_("announcement number"), max_length=60, blank=True)
    announced_on = models.DateField(_("announcement date"), null=True, blank=True)
    address = models.TextField(_("address"), blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    declared_families = models.PositiveIntegerField(_("families (declared)"), default=0)
    declared_households = models.PositiveIntegerField(
        _("households (declared)"), null=True, blank=True
    )
    declared_population = models.PositiveIntegerField(
        _("population (declared)"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    dissolution_announcement_no = models.CharField(
        _("dissolution announcement number"), max_length=60, blank=True
    )
    dissolution_reason = models.TextField(_("reason for dissolution"), blank=True)

    history = HistoricalRecords()
    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["area__path"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", dissolved_on__isnull=True)
                | Q(status="dissolved", dissolved_on__isnull=False),
                name="community_dissolved_has_date",
            ),
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90),
                name="community_lat_range",
            ),
            models.CheckConstraint(
                condition=Q(lng__isnull=True) | Q(lng__gte=-180, lng__lte=180),
                name="community_lng_range",
            ),
        ]

    def __str__(self) -> str:
        return self.area.name

    @property
    def code(self) -> str:
        return self.area.code

    @property
    def name_th(self) -> str:
        return self.area.name_th

    @property
    def name_en(self) -> str:
        return self.area.name_en

    @property
    def name(self) -> str:
        return self.area.name

    @property
    def district(self) -> Area | None:
        return self.area.parent

    @property
    def area_path(self) -> str:
        return self.area.path

    @property
    def is_dissolved(self) -> bool:
        return self.status == self.Status.DISSOLVED


class CommunityCount(models.Model):
    """A community's registry counts today, stored so that lists and totals read one row instead
    of counting memberships (the community list at Bangkok scale). Same meaning as the live
    count (`selectors.with_live_registry_counts`): active households of the community; living
    people with an open membership in one of its households. Recomputed, never incremented, by
    `services.registry_counts_refresh` in the transaction of every write that can change them;
    `manage.py refresh_registry_counts [--check]` (and a daily job) finds and repairs drift. A
    community without a row counts 0."""

    community = models.OneToOneField(
        Community,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="registry_count",
        verbose_name=_("community"),
    )
    households = models.PositiveIntegerField(_("households (registry)"), default=0)
    population = models.PositiveIntegerField(_("population (registry)"), default=0)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("registry counts of a community")
        verbose_name_plural = _("registry counts of communities")

    def __str__(self) -> str:
        return f"{self.community_id}: {self.households} / {self.population}"


class HouseholdQuerySet(models.QuerySet):
    def poor(self) -> HouseholdQuerySet:
        """Poor households: the manual status if set, else the latest survey's classification
        (what later modules use: food bank points, welfare cases)."""
        return self.filter(Q(poor_override=True) | Q(poor_override__isnull=True, survey_poor=True))


class Household(TimeStampedModel):
    """A household (ครัวเรือน) in a community, identified by its house registration code
    (รหัสประจำบ้าน, 11 digits) when known, else by community and house number."""

    class Tenure(models.TextChoices):
        OWNER = "owner", _("Owns the house and land")
        OWNER_HOUSE = "owner_house", _("Owns the house, rents the land")
        RENT = "rent", _("Rents")
        FREE = "free", _("Lives free of charge")
        ENCROACH = "encroach", _("Occupies without permission")
        OTHER = "other", _("Other")

    class Condition(models.TextChoices):
        GOOD = "good", _("Good")
        FAIR = "fair", _("Needs repair")
        POOR = "poor", _("Dilapidated")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="households", verbose_name=_("community")
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", editable=False)
    house_no = models.CharField(_("house number"), max_length=40)
    house_no_key = models.CharField(max_length=120, editable=False, default="")
    house_code = models.CharField(
        _("house registration code"), max_length=11, blank=True, db_index=True
    )
    address = models.TextField(_("address"), blank=True)
    tenure = models.CharField(_("tenure"), max_length=20, choices=Tenure.choices, blank=True)
    condition = models.CharField(
        _("housing condition"), max_length=20, choices=Condition.choices, blank=True
    )
    poor_override = models.BooleanField(_("poor household (manual)"), null=True, blank=True)
    poor_override_reason = models.TextField(_("reason for the manual poverty status"), blank=True)
    # set by the household survey (its latest submitted survey); the manual status wins
    survey_poor = models.BooleanField(_("poor household (survey)"), null=True, blank=True)
    survey_poor_on = models.DateField(
        _("date of the survey that classified it"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["community", "house_no_key", "id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["house_code"],
                condition=~Q(house_code=""),
                name="household_house_code_unique",
            ),
            models.UniqueConstraint(
                fields=["community", "house_no"],
                condition=Q(house_code=""),
                name="household_house_no_unique_without_code",
            ),
        ]

    def __str__(self) -> str:
        return _("House %(no)s") % {"no": self.house_no}

    def save(self, *args, **kwargs):
        """The sort key follows the house number (bulk writes set it themselves)."""
        self.house_no_key = domain.house_no_sort_key(self.house_no)
        if kwargs.get("update_fields") is not None and "house_no" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "house_no_key"}
        super().save(*args, **kwargs)

    @property
    def area_path(self) -> str:
        return self.area.path

    @property
    def is_poor(self) -> bool | None:
        """The manual status if set, else the latest submitted survey's; None if neither."""
        return self.poor_override if self.poor_override is not None else self.survey_poor


class PersonQuerySet(models.QuerySet):
    def alive(self) -> PersonQuerySet:
        return self.filter(status=Person.Status.ALIVE)

    def members_on(self, day: date, household: Household | None = None) -> PersonQuerySet:
        """People whose name was in a house registration (of `household`, if given) on `day`:
        one membership must meet every condition (an EXISTS, so no duplicates)."""
        memberships = Membership.objects.open_on(day).filter(
            person=models.OuterRef("pk"), in_house_registration=True
        )
        if household is not None:
            memberships = memberships.filter(household=household)
        return self.filter(models.Exists(memberships))


class Person(TimeStampedModel):
    PERSONAL_FIELDS = frozenset(
        {
            "national_id",
            "national_id_hash",
            "phone",
            "birth_date",
            "disability_card",
            "disability_type",
            "bedridden",
            "chronic_illness",
            "child_in_need",
            "disaster_victim",
            "sensitive_legal_basis",
        }
    )

    class Status(models.TextChoices):
        ALIVE = "alive", _("Alive")
        DECEASED = "deceased", _("Deceased")
        MOVED_OUT = "moved_out", _("Moved out")

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class MissingId(models.TextChoices):
        NOT_ISSUED = "not_issued", _("Not yet issued")
        FOREIGN = "foreign", _("Foreign national")
        UNKNOWN = "unknown", _("Unknown")

    class LegalBasis(models.TextChoices):
        CONSENT = "consent", _("Explicit consent of the person (PDPA s.26)")
        SOCIAL_PROTECTION = (
            "social_protection",
            _("Social protection and welfare duties under law (PDPA s.26(5))"),
        )
        VITAL_INTEREST = "vital_interest", _("Protect life or health (PDPA s.26(1))")

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"), editable=False
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("household"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("user account"),
    )
    national_id = models.CharField(_("national ID"), max_length=13, blank=True)
    national_id_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    missing_id_reason = models.CharField(
        _("why there is no national ID"), max_length=20, choices=MissingId.choices, blank=True
    )
    prefix = models.CharField(_("prefix"), max_length=40, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_year_estimated = models.BooleanField(_("birth date is an estimate"), default=False)
    nationality = models.CharField(_("nationality"), max_length=60, default="ไทย", blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ALIVE
    )
    status_on = models.DateField(_("status date"), null=True, blank=True)
    moved_to = models.CharField(_("moved to"), max_length=255, blank=True)
    quick_registered = models.BooleanField(_("quick registration"), default=False)
    # welfare flags (elderly is computed from the birth date)
    disability_card = models.CharField(_("disability card number"), max_length=40, blank=True)
    disability_type = models.CharField(
        _("disability type"), max_length=20, choices=domain.DISABILITY_CHOICES, blank=True
    )
    bedridden = models.BooleanField(_("bedridden"), default=False)
    chronic_illness = models.BooleanField(_("chronic illness"), default=False)
    child_in_need = models.BooleanField(_("child in need"), default=False)
    disaster_victim = models.BooleanField(_("disaster victim"), default=False)
    sensitive_legal_basis = models.CharField(
        _("legal basis for health and disability data"),
        max_length=30,
        choices=LegalBasis.choices,
        blank=True,
    )

    history = HistoricalRecords(excluded_fields=["national_id", "national_id_hash"])
    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["first_name", "last_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=~Q(national_id="") | ~Q(missing_id_reason=""),
                name="person_id_or_reason",
            ),
        ]
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (f"{self.prefix}{self.first_name}", self.last_name) if p)

    @property
    def masked_name(self) -> str:
        """What the old district keeps after a move: "ส*** ใ***"."""
        return domain.mask_name(self.first_name, self.last_name)

    @property
    def masked_national_id(self) -> str:
        return mask_national_id(self.national_id)

    @property
    def area_path(self) -> str:
        return self.area.path

    def age_on(self, day: date | None = None) -> int | None:
        return domain.age_on(self.birth_date, day or timezone.localdate())

    @property
    def age(self) -> int | None:
        return self.age_on()

    @property
    def is_elderly(self) -> bool:
        return domain.is_elderly(self.birth_date, timezone.localdate())

    @property
    def has_disability(self) -> bool:
        return bool(self.disability_card or self.disability_type)

    def welfare_flags(self) -> list[str]:
        """Codes of the flags that hold today (for badges and exports)."""
        flags = []
        if self.is_elderly:
            flags.append("elderly")
        if self.has_disability:
            flags.append("disability")
        for name in ("bedridden", "chronic_illness", "child_in_need", "disaster_victim"):
            if getattr(self, name):
                flags.append(name)
        if self.household_id and self.household.is_poor:
            flags.append("poor_household")
        return flags


class MembershipQuerySet(models.QuerySet):
    def open_on(self, day: date) -> MembershipQuerySet:
        """Memberships in force on `day` (since <= day < until)."""
        return self.filter(since__lte=day).filter(Q(until__isnull=True) | Q(until__gt=day))


class Membership(models.Model):
    """A person's dated place in a household: whether the name is in the house registration
    (only then a community member) and since when; `until` closes it (move, death)."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("household")
    )
    relation = models.CharField(
        _("relation to the head"), max_length=20, choices=domain.RELATION_CHOICES, blank=True
    )
    in_house_registration = models.BooleanField(_("in the house registration"), default=False)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = _("household membership")
        verbose_name_plural = _("household memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(until__isnull=True), name="membership_one_open"
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(until__isnull=True, relation="head"),
                name="membership_one_head",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="membership_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.household_id} {self.since}..{self.until or ''}"


class Move(models.Model):
    """A person or household moved between communities. The old district keeps this line (with
    the name masked) after the record has left its reach."""

    moved_on = models.DateField(_("moved on"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="moves"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="moves"
    )
    masked_label = models.CharField(_("who (masked)"), max_length=255)
    from_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    to_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    from_path = models.CharField(max_length=255, db_index=True, editable=False)
    to_path = models.CharField(max_length=255, db_index=True, editable=False)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-moved_on", "-id"]
        verbose_name = _("move")
        verbose_name_plural = _("moves")

    def __str__(self) -> str:
        return f"{self.masked_label}: {self.from_area_id} -> {self.to_area_id}"


# The household survey's models live in their own module, in this app (label `communities`).
from .surveys.models import Survey, SurveyMember, SurveyRound, SurveyRule  # noqa: E402

__all__ = [
    "Community",
    "CommunityCount",
    "CommunityType",
    "Household",
    "Membership",
    "Move",
    "Person",
    "Survey",
    "SurveyMember",
    "SurveyRound",
    "SurveyRule",
]
