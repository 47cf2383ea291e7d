"""Stored registry counts per community (CommunityCount), filled from the registry as it is:
active households; living people with an open membership (the live count's meaning, see
`selectors.with_live_registry_counts`). From then on `services.registry_counts_refresh` keeps
them, and `manage.py refresh_registry_counts --check` compares them with the live count."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def fill_counts(apps, schema_editor):
    Community = apps.get_model("communities", "Community")
    CommunityCount = apps.get_model("communities", "CommunityCount")
    Household = apps.get_model("communities", "Household")
    Membership = apps.get_model("communities", "Membership")
    households = dict(
        Household.objects.filter(is_active=True)
        .values("community_id")
        .annotate(n=models.Count("pk"))
        .values_list("community_id", "n")
    )
    population = dict(
        Membership.objects.filter(until__isnull=True, person__status="alive")
        .values("household__community_id")
        .annotate(n=models.Count("pk"))
        .values_list("household__community_id", "n")
    )
    now = django.utils.timezone.now()
    CommunityCount.objects.bulk_create(
        [
            CommunityCount(
                community_id=pk,
                households=households.get(pk, 0),
                population=population.get(pk, 0),
                updated_at=now,
            )
            for pk in Community.objects.values_list("pk", flat=True).iterator()
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0006_survey_rules_and_permissions"),
    ]

    operations = [
        migrations.CreateModel(
            name="CommunityCount",
            fields=[
                (
                    "community",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="registry_count",
                        serialize=False,
                        to="communities.community",
                        verbose_name="community",
                    ),
                ),
                (
                    "households",
                    models.PositiveIntegerField(default=0, verbose_name="households (registry)"),
                ),
                (
                    "population",
                    models.PositiveIntegerField(default=0, verbose_name="population (registry)"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="updated"),
                ),
            ],
            options={
                "verbose_name": "registry counts of a community",
                "verbose_name_plural": "registry counts of communities",
            },
        ),
        migrations.RunPython(fill_counts, migrations.RunPython.noop, elidable=True),
    ]
