"""BKK Food Bank: the surplus food relay (Model 1) and the district food bank (Model 2).

Model 1, surplus food relay (Food Surplus)
- ``Donor``: a business, hotel, market, school, temple or person who gives food or goods. It
  belongs to a district, or to the city for chains that give in many districts under an
  agreement. An individual donor's name and phone are personal data (masked in public outputs).
- ``SurplusDonation``: surplus food received by a district, in grams (``weight_g``: weights are
  kept to the gram and summed as integers, exact on both databases), with optional category
  weights (``DonationCategory``, summing to the total). The conversion factors valid on the
  donation's date (dated parameters ``foodbank.meals_per_kg`` and ``foodbank.kgco2e_per_kg``)
  are copied onto the donation when it is recorded, so history never changes; meals and kgCO2e
  are computed (``domain.impact``), never typed.
- ``Distribution``: food handed on by a district (to a community, a shelter, a recipient group
  or registered persons), in grams, with the headcount served. A district never hands on more
  than it has received (``services_surplus``: the district's ``Store`` row is the lock).
- A donation or distribution recorded in error is cancelled with a reason (status), never
  deleted or edited; cancelled rows count nowhere.

Model 2, district food bank (Food Donation, points)
- ``Store``: one per district: the lock row of everything that moves stock or points there.
- ``Item``: the store's catalogue (name, unit, category, points per unit).
- ``Lot`` + ``StockMovement``: stock is a sum of append-only movements per lot (donation in,
  redemption out, transfer out/in, write-off, count adjustment, redemption returned). A lot
  keeps its expiry date; redemptions take lots first-expiring-first-out and never an expired one.
- ``Beneficiary``: a person or a household assessed by the district (``Assessment``: the
  registry's welfare flags at the time plus scores on the ``Criterion`` rows).
- ``Award`` (a one-off grant, or one month of an ``Allowance``) with an expiry; ``PointEntry``
  is the append-only ledger of points per beneficiary and per award (award +, redeem -,
  expire -, reverse +/-). The balance of an award is the sum of its entries, never below zero;
  redemptions consume the earliest-expiring award first.
- ``Redemption`` + ``RedemptionLine``: goods taken at the counter for points, with the lot each
  unit came from; points and stock move in one transaction under the store's lock.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chumchon.communities.models import Community, Household, Person
from chumchon.core.models import AppendOnlyModel, BilingualNameMixin
from chumchon.organizations.models import Area

FACTOR = {"max_digits": 12, "decimal_places": 6}


def _user_fk(related_name: str = "+", null: bool = False, verbose: str = "") -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name=related_name,
        null=null,
        blank=null,
        verbose_name=verbose or _("recorded by"),
    )


class Status(models.TextChoices):
    RECORDED = "recorded", _("recorded")
    CANCELLED = "cancelled", _("cancelled")


# --- Model 1: the surplus food relay -----------------------------------------------------------


class Donor(models.Model):
    class Kind(models.TextChoices):
        BUSINESS = "business", _("business")
        HOTEL = "hotel", _("hotel")
        MARKET = "market", _("market")
        SCHOOL = "school", _("school")
        TEMPLE = "temple", _("temple")
        INDIVIDUAL = "individual", _("individual")
        OTHER = "other", _("other")

    PERSONAL_FIELDS = ("contact_phone",)

    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="foodbank_donors",
        verbose_name=_("district or city"),
        help_text=_("The district the donor gives in, or the city for chains under an agreement."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=255)
    branch = models.CharField(_("branch"), max_length=255, blank=True)
    tax_id = models.CharField(_("tax ID"), max_length=20, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=255, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    agreement_no = models.CharField(_("agreement number"), max_length=100, blank=True)
    agreement_on = models.DateField(_("agreement date"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = _user_fk(null=True, verbose=_("created by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        indexes = [models.Index(fields=["area", "kind"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.branch})" if self.branch else self.name

    @property
    def is_individual(self) -> bool:
        return self.kind == self.Kind.INDIVIDUAL

    @property
    def public_name(self) -> str:
        """The name shown in public outputs: an individual's name is masked."""
        if not self.is_individual:
            return str(self)
        from chumchon.communities.domain import mask_name

        first, _sep, last = self.name.partition(" ")
        return mask_name(first, last)


class SurplusDonation(models.Model):
    class Category(models.TextChoices):
        COOKED = "cooked", _("cooked meals")
        BAKERY = "bakery", _("bread and bakery")
        FRUIT_VEG = "fruit_veg", _("fruit and vegetables")
        MEAT_FISH = "meat_fish", _("meat, fish and eggs")
        DAIRY = "dairy", _("milk and dairy")
        DRY = "dry", _("dry food, rice and noodles")
        CANNED = "canned", _("canned and packaged food")
        DRINKS = "drinks", _("drinks")
        OTHER = "other", _("other")

    district = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="foodbank_surplus_donations",
        verbose_name=_("receiving district"),
    )
    number = models.PositiveIntegerField(_("number"))
    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, related_name="surplus_donations", verbose_name=_("donor")
    )
    donated_on = models.DateField(_("date"))
    weight_g = models.BigIntegerField(_("weight (g)"), validators=[MinValueValidator(1)])
    meals_per_kg = models.DecimalField(_("meals per kg"), **FACTOR)
    kgco2e_per_kg = models.DecimalField(_("kgCO2e per kg"), **FACTOR)
    picked_up_by = models.CharField(_("picked up by"), max_length=255, blank=True)
    pickup_address = models.TextField(_("pick-up place"), blank=True)
    pickup_at = models.DateTimeField(_("pick-up time"), null=True, blank=True)
    handed_over_to = models.CharField(_("received by"), max_length=255, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECORDED
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = _user_fk(null=True, verbose=_("cancelled by"))
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = _user_fk()

    class Meta:
        ordering = ["-donated_on", "-id"]
        verbose_name = _("surplus food donation")
        verbose_name_plural = _("surplus food donations")
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="fb_donation_number"),
            models.CheckConstraint(condition=Q(weight_g__gt=0), name="fb_donation_weight_pos"),
        ]
        indexes = [
            models.Index(fields=["district", "donated_on"]),
            models.Index(fields=["donated_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.district.code}-{self.number}"

    @property
    def meals_factor(self) -> str:
        """The factor as typed (4.2, not 4.200000)."""
        return _factor_text(self.meals_per_kg)

    @property
    def kgco2e_factor(self) -> str:
        return _factor_text(self.kgco2e_per_kg)


def _factor_text(value) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class DonationCategory(AppendOnlyModel):
    donation = models.ForeignKey(
        SurplusDonation, on_delete=models.PROTECT, related_name="categories"
    )
    category = models.CharField(
        _("food category"), max_length=20, choices=SurplusDonation.Category.choices
    )
    weight_g = models.BigIntegerField(_("weight (g)"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["donation_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["donation", "category"], name="fb_category_once"),
            models.CheckConstraint(condition=Q(weight_g__gt=0), name="fb_category_weight_pos"),
        ]


class Distribution(models.Model):
    class Recipient(models.TextChoices):
        COMMUNITY = "community", _("a community")
        SHELTER = "shelter", _("a shelter")
        GROUP = "group", _("a recipient group")
        PERSONS = "persons", _("registered persons")

    district = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="foodbank_distributions",
        verbose_name=_("district"),
    )
    number = models.PositiveIntegerField(_("number"))
    distributed_on = models.DateField(_("date"))
    recipient_kind = models.CharField(_("to"), max_length=20, choices=Recipient.choices)
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    recipient_name = models.CharField(_("shelter or group"), max_length=255, blank=True)
    persons = models.ManyToManyField(
        Person, blank=True, related_name="foodbank_distributions", verbose_name=_("persons")
    )
    weight_g = models.BigIntegerField(_("weight (g)"), validators=[MinValueValidator(1)])
    headcount = models.PositiveIntegerField(_("people served"), validators=[MinValueValidator(1)])
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECORDED
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = _user_fk(null=True, verbose=_("cancelled by"))
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = _user_fk()

    class Meta:
        ordering = ["-distributed_on", "-id"]
        verbose_name = _("food distribution")
        verbose_name_plural = _("food distributions")
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="fb_distribution_number"),
            models.CheckConstraint(condition=Q(weight_g__gt=0), name="fb_distribution_weight_pos"),
            models.CheckConstraint(condition=Q(headcount__gt=0), name="fb_distribution_people_pos"),
        ]
        indexes = [models.Index(fields=["district", "distributed_on"])]

    def __str__(self) -> str:
        return f"{self.district.code}-D{self.number}"


# --- Model 2: the district food bank -----------------------------------------------------------


class Store(models.Model):
    """The district's food bank (one per district): every write that moves its stock or its
    beneficiaries' points locks this row first (``ledger.lock_store``)."""

    area = models.OneToOneField(
        Area, on_delete=models.PROTECT, related_name="foodbank_store", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=255)
    address = models.TextField(_("address"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    near_expiry_days = models.PositiveSmallIntegerField(
        _("warn this many days before expiry"),
        default=7,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
    )
    award_valid_days = models.PositiveSmallIntegerField(
        _("points awarded are valid for (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area_id"]
        verbose_name = _("district food bank")
        verbose_name_plural = _("district food banks")

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    class Category(models.TextChoices):
        RICE = "rice", _("rice and grains")
        DRY = "dry", _("dry and instant food")
        CANNED = "canned", _("canned food")
        DRINKS = "drinks", _("milk and drinks")
        FRESH = "fresh", _("fresh food")
        HYGIENE = "hygiene", _("hygiene and household goods")
        BABY = "baby", _("baby and elderly care")
        OTHER = "other", _("other")

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="items", verbose_name=_("food bank")
    )
    name = models.CharField(_("name"), max_length=255)
    unit = models.CharField(_("unit"), max_length=50)
    category = models.CharField(_("item category"), max_length=20, choices=Category.choices)
    points = models.PositiveIntegerField(
        _("points per unit"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    barcode = models.CharField(_("barcode"), max_length=50, blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["store_id", "category", "name", "id"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["store", "name", "unit"], name="fb_item_name_unique"),
            models.CheckConstraint(condition=Q(points__gt=0), name="fb_item_points_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Lot(AppendOnlyModel):
    """Units of one item received together, with their expiry date (none: does not expire)."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="lots")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lots")
    received_on = models.DateField(_("received on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    donor = models.ForeignKey(
        Donor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lots",
        verbose_name=_("donor"),
    )
    from_lot = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transferred from lot"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["store_id", "item_id", "expires_on", "id"]
        indexes = [models.Index(fields=["store", "item", "expires_on"])]

    def __str__(self) -> str:
        return f"L{self.pk} {self.item}"


class StockMovement(AppendOnlyModel):
    """One change of a lot's quantity: positive in, negative out. Stock = sum per lot."""

    class Kind(models.TextChoices):
        DONATION_IN = "donation_in", _("donation received")
        PURCHASE_IN = "purchase_in", _("bought")
        REDEMPTION = "redemption", _("redeemed for points")
        RETURN = "return", _("redemption cancelled: goods back")
        TRANSFER_OUT = "transfer_out", _("transferred to another district")
        TRANSFER_IN = "transfer_in", _("transferred from another district")
        WRITE_OFF = "write_off", _("written off (expired or damaged)")
        ADJUSTMENT = "adjustment", _("stock count adjustment")

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="movements")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    quantity = models.IntegerField(_("quantity"))
    moved_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"), blank=True)
    redemption = models.ForeignKey(
        "Redemption", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    transfer_id = models.UUIDField(_("transfer"), null=True, blank=True, db_index=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = _user_fk()

    class Meta:
        ordering = ["moved_on", "id"]
        indexes = [
            models.Index(fields=["store", "moved_on"]),
            models.Index(fields=["lot", "moved_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="fb_movement_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} {self.item}"


class Criterion(BilingualNameMixin, models.Model):
    """One line of the assessment form (data, migration 0002; maintained in the admin)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=5)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("assessment criterion")
        verbose_name_plural = _("assessment criteria")

    def __str__(self) -> str:
        return self.name


class Beneficiary(models.Model):
    """A person or a household the district assessed and serves with points."""

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        HOUSEHOLD = "household", _("household")

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="beneficiaries", verbose_name=_("food bank")
    )
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="foodbank_beneficiaries",
        verbose_name=_("person"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="foodbank_beneficiaries",
        verbose_name=_("household"),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.ACTIVE)
    registered_on = models.DateField(_("registered on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.TextField(_("reason for closing"), blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = _user_fk(null=True, verbose=_("registered by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["store_id", "number"]
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        constraints = [
            models.UniqueConstraint(fields=["store", "number"], name="fb_beneficiary_number"),
            models.CheckConstraint(
                condition=(
                    Q(kind="person", person__isnull=False, household__isnull=True)
                    | Q(kind="household", household__isnull=False, person__isnull=True)
                ),
                name="fb_beneficiary_person_xor_household",
            ),
            models.UniqueConstraint(
                fields=["store", "person"],
                condition=Q(state="active", person__isnull=False),
                name="fb_beneficiary_person_once",
            ),
            models.UniqueConstraint(
                fields=["store", "household"],
                condition=Q(state="active", household__isnull=False),
                name="fb_beneficiary_household_once",
            ),
        ]

    def __str__(self) -> str:
        return f"B{self.number}"

    @property
    def area_path(self) -> str:
        return self.store.area.path


class Assessment(AppendOnlyModel):
    """The district's assessment: the registry flags at the time, scores per criterion."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="assessments"
    )
    assessed_on = models.DateField(_("assessed on"))
    flags = models.JSONField(_("welfare flags"), default=list, blank=True)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    total = models.PositiveIntegerField(_("total score"), default=0)
    note = models.TextField(_("note"), blank=True)
    assessed_at = models.DateTimeField(default=timezone.now, editable=False)
    assessed_by = _user_fk(verbose=_("assessed by"))

    class Meta:
        ordering = ["beneficiary_id", "-assessed_on", "-id"]


class Allowance(models.Model):
    """A monthly allowance: the job ``foodbank.points_monthly`` awards ``points`` on the first
    of every month from ``starts_on`` to ``ends_on`` (inclusive; none: until stopped)."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="allowances"
    )
    points = models.PositiveIntegerField(
        _("points a month"), validators=[MinValueValidator(1), MaxValueValidator(1000000)]
    )
    starts_on = models.DateField(_("from month"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField(
        _("each month's points are valid for (days)"),
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    reason = models.TextField(_("reason"), blank=True)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    stop_reason = models.TextField(_("reason for stopping"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = _user_fk(verbose=_("granted by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["beneficiary_id", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="fb_allowance_points_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.points}/month from {self.starts_on}"


class Award(AppendOnlyModel):
    class Kind(models.TextChoices):
        ONE_OFF = "one_off", _("one-off grant")
        MONTHLY = "monthly", _("monthly allowance")

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="awards")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    points = models.PositiveIntegerField(_("points"), validators=[MinValueValidator(1)])
    awarded_on = models.DateField(_("awarded on"))
    expires_on = models.DateField(_("expires on"))
    allowance = models.ForeignKey(
        Allowance, on_delete=models.PROTECT, null=True, blank=True, related_name="awards"
    )
    month = models.DateField(_("month"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    awarded_at = models.DateTimeField(default=timezone.now, editable=False)
    awarded_by = _user_fk(null=True, verbose=_("awarded by"))

    class Meta:
        ordering = ["beneficiary_id", "expires_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="fb_award_points_pos"),
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("awarded_on")), name="fb_award_expiry_after"
            ),
            models.UniqueConstraint(
                fields=["allowance", "month"],
                condition=Q(allowance__isnull=False),
                name="fb_award_month_once",
            ),
        ]
        indexes = [models.Index(fields=["expires_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points}"


class PointEntry(AppendOnlyModel):
    """The points ledger: every change of an award's balance (award +, redeem -, expire -,
    reverse +/-). A beneficiary's balance is the sum of their entries; an award's, of its."""

    class Kind(models.TextChoices):
        AWARD = "award", _("awarded")
        REDEEM = "redeem", _("redeemed")
        EXPIRE = "expire", _("expired")
        REVERSE = "reverse", _("reversed")

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="point_entries"
    )
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    points = models.IntegerField(_("points"))
    on = models.DateField(_("date"))
    redemption = models.ForeignKey(
        "Redemption", on_delete=models.PROTECT, null=True, blank=True, related_name="point_entries"
    )
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(default=timezone.now, editable=False)
    by = _user_fk(null=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="fb_points_not_zero"),
            models.UniqueConstraint(
                fields=["award"], condition=Q(kind="award"), name="fb_points_award_once"
            ),
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(reverses__isnull=False),
                name="fb_points_reversed_once",
            ),
        ]
        indexes = [
            models.Index(fields=["beneficiary", "on"]),
            models.Index(fields=["award"]),
        ]


class Redemption(models.Model):
    """Goods taken at the counter for points. Its lines, movements and point entries are
    written once; cancelling writes the opposite movements and entries (status cancelled)."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="redemptions")
    number = models.PositiveIntegerField(_("receipt number"))
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="redemptions"
    )
    redeemed_by = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="foodbank_redemptions",
        verbose_name=_("collected by"),
    )
    redeemed_on = models.DateField(_("date"))
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECORDED
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = _user_fk(null=True, verbose=_("cancelled by"))
    at = models.DateTimeField(default=timezone.now, editable=False)
    clerk = _user_fk(verbose=_("counter clerk"))

    class Meta:
        ordering = ["-redeemed_on", "-id"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        constraints = [
            models.UniqueConstraint(fields=["store", "number"], name="fb_redemption_number"),
        ]
        indexes = [models.Index(fields=["store", "redeemed_on"])]

    def __str__(self) -> str:
        return f"R{self.number}"


class RedemptionLine(AppendOnlyModel):
    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    points_each = models.PositiveIntegerField(_("points per unit"))
    points = models.PositiveIntegerField(_("points"))

    class Meta:
        ordering = ["redemption_id", "id"]
