"""Gestational age at birth in days (completed weeks and days, "36+6"), instead of whole weeks.

Existing values were whole completed weeks, so 30 weeks becomes 30+0 (210
days): the correction each child had is kept exactly. Going back rounds
down to completed weeks, which is what the old field held.
"""

import django.core.validators
from django.db import migrations, models


def weeks_to_days(apps, schema_editor):
    Child = apps.get_model("tracker", "Child")
    for weeks in (
        Child.objects.filter(gestational_weeks__isnull=False).values_list("gestational_weeks", flat=True).distinct()
    ):
        Child.objects.filter(gestational_weeks=weeks).update(gestational_days=weeks * 7)


def days_to_weeks(apps, schema_editor):
    Child = apps.get_model("tracker", "Child")
    for days in (
        Child.objects.filter(gestational_days__isnull=False).values_list("gestational_days", flat=True).distinct()
    ):
        Child.objects.filter(gestational_days=days).update(gestational_weeks=days // 7)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0008_skill_sources_window_kinds_and_loss_reviews")]

    operations = [
        migrations.AddField(
            model_name="child",
            name="gestational_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Leave empty for a baby born at term. Used for corrected age if born before 37+0 weeks.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(168),
                    django.core.validators.MaxValueValidator(300),
                ],
                verbose_name="gestational age at birth (days)",
            ),
        ),
        migrations.RunPython(weeks_to_days, days_to_weeks),
        migrations.RemoveConstraint(model_name="child", name="child_gestational_weeks_24_to_42"),
        migrations.RemoveField(model_name="child", name="gestational_weeks"),
        migrations.AddConstraint(
            model_name="child",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("gestational_days__isnull", True),
                    models.Q(("gestational_days__gte", 168), ("gestational_days__lte", 300)),
                    _connector="OR",
                ),
                name="child_gestational_age_24_to_42_weeks",
            ),
        ),
    ]
