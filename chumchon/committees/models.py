"""Community committees: the dated seat policy, elections (candidates, ballots, results), terms,
seats held by members, positions, advisers, working groups and the committee's reports.

Scoping: every record reaches its community (`community__area__path`, or through the term), so
`accounts.scoping` filters on that path. The seat policy is city-wide reference data (no area).
Statuses change only in `services_*` (one function per transition; `domain` has the rules).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chumchon.communities.models import Community, Person
from chumchon.core.models import BilingualNameMixin, TimeStampedModel

from . import domain


class SeatPolicyQuerySet(models.QuerySet):
    def in_force_on(self, day) -> SeatPolicyQuerySet:
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class SeatPolicy(BilingualNameMixin, TimeStampedModel):
    """A regulation's committee rules from a date: seats, eligibility, term length. Added by a
    system administrator (no code change); never edited once an election used it, only ended."""

    class Counted(models.TextChoices):
        FAMILIES = "families", _("Declared families")
        HOUSES = "houses", _("Declared houses")
        REGISTRY_HOUSEHOLDS = "registry_households", _("Households in the registry")

    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    counted = models.CharField(
        _("what is counted"), max_length=30, choices=Counted.choices, default=Counted.FAMILIES
    )
    minimum = models.PositiveSmallIntegerField(_("minimum seats"), default=7)
    threshold = models.PositiveIntegerField(_("count above which seats are added"), default=140)
    step = models.PositiveIntegerField(_("one more seat for every"), default=20)
    maximum = models.PositiveSmallIntegerField(_("maximum seats"), default=25)
    remainder_over = models.PositiveIntegerField(
        _("a remainder above this counts as a full step"),
        null=True,
        blank=True,
        help_text=_("Leave empty when a remainder never adds a seat."),
    )
    thai_only = models.BooleanField(_("Thai nationality required"), default=True)
    voter_min_age = models.PositiveSmallIntegerField(_("minimum age of voters"), default=18)
    candidate_min_age = models.PositiveSmallIntegerField(_("minimum age of candidates"), default=18)
    voter_days = models.PositiveIntegerField(
        _("days in the house registration before election day (voters)"), default=90
    )
    candidate_days = models.PositiveIntegerField(
        _("days in the house registration before election day (candidates)"), default=180
    )
    term_years = models.PositiveSmallIntegerField(_("term (years)"), default=2)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()
    objects = SeatPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("committee seat policy")
        verbose_name_plural = _("committee seat policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="seat_policy_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(maximum__gte=models.F("minimum")), name="seat_policy_max_ge_min"
            ),
            models.CheckConstraint(condition=Q(step__gt=0), name="seat_policy_step_positive"),
            models.CheckConstraint(condition=Q(minimum__gt=0), name="seat_policy_min_positive"),
        ]

    @property
    def seat_rule(self) -> domain.SeatRule:
        return domain.SeatRule(
            minimum=self.minimum,
            threshold=self.threshold,
            step=self.step,
            maximum=self.maximum,
            remainder_over=self.remainder_over,
        )

    @property
    def eligibility(self) -> domain.Eligibility:
        return domain.Eligibility(
            thai_only=self.thai_only,
            voter_min_age=self.voter_min_age,
            candidate_min_age=self.candidate_min_age,
            voter_days=self.voter_days,
            candidate_days=self.candidate_days,
        )

    def seats_for(self, counted: int) -> int:
        return domain.seats(counted, self.seat_rule)


class Election(TimeStampedModel):
    """An election organised by the district for one community: a general election (a new
    term) or a by-election (vacancies of a term in office once its reserve list is exhausted)."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("General election")
        BY_ELECTION = "by_election", _("By-election")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RESULTS = "results", _("Results entered")
        CERTIFIED = "certified", _("Certified")
        CANCELLED = "cancelled", _("Cancelled")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="elections", verbose_name=_("community")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    term = models.ForeignKey(
        "CommitteeTerm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="by_elections",
        verbose_name=_("term (by-election)"),
    )
    policy = models.ForeignKey(
        SeatPolicy, on_delete=models.PROTECT, related_name="elections", verbose_name=_("policy")
    )
    held_on = models.DateField(_("election date"))
    place = models.CharField(_("place"), max_length=300)
    announcement_no = models.CharField(_("announcement number"), max_length=60, blank=True)
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # snapshot of the seat rule's input and output when the election was planned
    counted = models.PositiveIntegerField(_("counted (families, houses or households)"))
    seats = models.PositiveSmallIntegerField(_("seats"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    unopposed = models.BooleanField(_("elected unopposed"), default=False)
    eligible_voters = models.PositiveIntegerField(_("eligible voters"), null=True, blank=True)
    ballots_issued = models.PositiveIntegerField(_("ballots issued"), null=True, blank=True)
    ballots_cast = models.PositiveIntegerField(_("ballots cast"), null=True, blank=True)
    ballots_spoiled = models.PositiveIntegerField(_("spoiled ballots"), null=True, blank=True)
    ballots_blank = models.PositiveIntegerField(_("blank ballots"), null=True, blank=True)
    tie_break_method = models.CharField(
        _("tie-break method"), max_length=200, blank=True, help_text=_("e.g. drawing lots")
    )
    tie_break_note = models.TextField(_("tie-break record"), blank=True)
    results_entered_at = models.DateTimeField(_("results entered at"), null=True, blank=True)
    results_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    certified_at = models.DateTimeField(_("certified at"), null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document_no = models.CharField(_("announcement document number"), max_length=60, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("committee election")
        verbose_name_plural = _("committee elections")
        indexes = [models.Index(fields=["community", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="general", term__isnull=True)
                | Q(kind="by_election", term__isnull=False),
                name="election_by_election_has_term",
            )
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.held_on}"

    @property
    def area_path(self) -> str:
        """The community's area path (what accounts.scoping checks permissions against)."""
        return self.community.area.path

    @property
    def ballots(self) -> domain.BallotCounts | None:
        if self.ballots_cast is None:
            return None
        return domain.BallotCounts(
            issued=self.ballots_issued or 0,
            cast=self.ballots_cast or 0,
            spoiled=self.ballots_spoiled or 0,
            blank=self.ballots_blank or 0,
        )

    @property
    def valid_ballots(self) -> int | None:
        counts = self.ballots
        return counts.valid if counts else None

    @property
    def turnout(self):
        """Percent of the eligible voters snapshotted at results entry (`domain.turnout`)."""
        return domain.turnout(self.ballots_cast, self.eligible_voters)


class Candidate(TimeStampedModel):
    class Outcome(models.TextChoices):
        PENDING = "", _("Not decided")
        ELECTED = "elected", _("Elected")
        RESERVE = "reserve", _("Reserve list")

    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="candidates", verbose_name=_("election")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="candidacies", verbose_name=_("person")
    )
    number = models.PositiveSmallIntegerField(_("ballot number"))
    votes = models.PositiveIntegerField(_("votes"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    by_lot = models.BooleanField(_("order decided by lot"), default=False)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default="", blank=True
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["election", "number"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="candidate_once"),
            models.UniqueConstraint(fields=["election", "number"], name="candidate_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.person}"


class CommitteeTerm(TimeStampedModel):
    """A community committee's term of office."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_OFFICE = "in_office", _("In office")
        ENDED = "ended", _("Ended")
        ENDED_EARLY = "ended_early", _("Ended early by district order")

    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="committee_terms",
        verbose_name=_("community"),
    )
    policy = models.ForeignKey(
        SeatPolicy, on_delete=models.PROTECT, related_name="terms", verbose_name=_("policy")
    )
    election = models.OneToOneField(
        Election,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="started_term",
        verbose_name=_("election"),
    )
    seats = models.PositiveSmallIntegerField(_("seats"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_order_no = models.CharField(_("district order number"), max_length=60, blank=True)
    end_reason = models.TextField(_("reason"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["community", "-starts_on"]
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="term_period_ordered"
            ),
            models.UniqueConstraint(
                fields=["community"], condition=Q(status="in_office"), name="term_one_in_office"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.starts_on}..{self.ends_on}"

    @property
    def area_path(self) -> str:
        """The community's area path (what accounts.scoping checks permissions against)."""
        return self.community.area.path

    @property
    def last_day(self):
        """The day the term actually stops: its early end, or its planned end."""
        return self.ended_on or self.ends_on


class CommitteeMemberQuerySet(models.QuerySet):
    def current(self, day=None) -> CommitteeMemberQuerySet:
        day = day or timezone.localdate()
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))


class CommitteeMember(TimeStampedModel):
    """A seat held by a person during a term (from `starts_on` until `ends_on`, exclusive)."""

    class Source(models.TextChoices):
        ELECTED = "elected", _("Elected")
        UNOPPOSED = "unopposed", _("Elected unopposed")
        RESERVE = "reserve", _("From the reserve list")
        BY_ELECTION = "by_election", _("By-election")

    class EndReason(models.TextChoices):
        RESIGNED = "resigned", _("Resigned")
        DIED = "died", _("Died")
        MOVED_OUT = "moved_out", _("Moved out of the community")
        REMOVED = "removed", _("Removed")
        TERM_ENDED = "term_ended", _("Term ended")

    term = models.ForeignKey(
        CommitteeTerm, on_delete=models.PROTECT, related_name="members", verbose_name=_("term")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="committee_seats",
        verbose_name=_("person"),
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("how the seat was filled"), max_length=20, choices=Source.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(
        _("why the membership ended"), max_length=20, choices=EndReason.choices, blank=True
    )
    end_note = models.TextField(_("note on the end"), blank=True)
    role_assignment = models.ForeignKey(
        "accounts.RoleAssignment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("committee member role"),
    )

    history = HistoricalRecords()
    objects = CommitteeMemberQuerySet.as_manager()

    class Meta:
        ordering = ["term", "starts_on", "id"]
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [
            models.UniqueConstraint(
                fields=["term", "person"],
                condition=Q(ends_on__isnull=True),
                name="member_one_open_seat_per_term",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="member_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.term})"


class Position(TimeStampedModel):
    """A position held by a committee member from `starts_on` until `ends_on` (exclusive)."""

    term = models.ForeignKey(
        CommitteeTerm, on_delete=models.PROTECT, related_name="positions", verbose_name=_("term")
    )
    member = models.ForeignKey(
        CommitteeMember,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("member"),
    )
    code = models.CharField(_("position"), max_length=30, choices=domain.POSITION_CHOICES)
    title = models.CharField(
        _("title of the position"),
        max_length=200,
        blank=True,
        help_text=_("Required for a position the committee defines."),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["term", "starts_on", "id"]
        verbose_name = _("committee position")
        verbose_name_plural = _("committee positions")
        constraints = [
            models.UniqueConstraint(
                fields=["term", "code"],
                condition=Q(ends_on__isnull=True) & ~Q(code="other"),
                name="position_one_holder",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(ends_on__isnull=True),
                name="position_one_per_member",
            ),
            models.CheckConstraint(
                condition=~Q(code="other") | ~Q(title=""), name="position_other_has_title"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.get_code_display()

    @property
    def label(self) -> str:
        return self.title if self.code == domain.OTHER else str(self.get_code_display())


class Adviser(TimeStampedModel):
    """An adviser (ที่ปรึกษา) appointed by the committee: a registry person or a named outsider."""

    term = models.ForeignKey(
        CommitteeTerm, on_delete=models.PROTECT, related_name="advisers", verbose_name=_("term")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    expertise = models.CharField(_("expertise or role"), max_length=300, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["term", "starts_on", "id"]
        verbose_name = _("adviser")
        verbose_name_plural = _("advisers")

    def __str__(self) -> str:
        return self.name


class WorkingGroup(TimeStampedModel):
    """A working group (คณะทำงาน) appointed by the committee."""

    term = models.ForeignKey(
        CommitteeTerm,
        on_delete=models.PROTECT,
        related_name="working_groups",
        verbose_name=_("term"),
    )
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["term", "starts_on", "id"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")

    def __str__(self) -> str:
        return self.name


class WorkingGroupMember(models.Model):
    group = models.ForeignKey(
        WorkingGroup, on_delete=models.PROTECT, related_name="members", verbose_name=_("group")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role in the group"), max_length=200, blank=True)

    class Meta:
        ordering = ["group", "id"]
        verbose_name = _("working group member")
        verbose_name_plural = _("working group members")

    def __str__(self) -> str:
        return self.name


class CommitteeReport(TimeStampedModel):
    """The committee's report to the district director (duty 7): a dated log entry with
    attachments (core.attachments)."""

    term = models.ForeignKey(
        CommitteeTerm, on_delete=models.PROTECT, related_name="reports", verbose_name=_("term")
    )
    reported_on = models.DateField(_("report date"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("report"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["term", "-reported_on", "-id"]
        verbose_name = _("committee report")
        verbose_name_plural = _("committee reports")

    def __str__(self) -> str:
        return self.subject

    @property
    def area_path(self) -> str:
        return self.term.community.area.path
