"""Skills say what their window means and where it comes from; a loss of a skill can be marked reviewed.

The old free-text `source` becomes `source_detail` (a custom skill's source
stays where its therapist wrote it); catalogue skills get their Source and
kind from `manage.py load_catalogue`. Until then, every skill with a window
is given a kind read from its old source text, so the new rule "a window
has a kind" holds from the first moment; anything not WHO or CDC becomes a
typical age, which never raises an alarm.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def kinds_from_old_sources(apps, schema_editor):
    Skill = apps.get_model("tracker", "Skill")
    windowed = Skill.objects.filter(window_end_months__isnull=False)
    windowed.filter(child__isnull=False).update(window_kind="set_for_child")
    catalogue = windowed.filter(child__isnull=True)
    catalogue.filter(source_detail__startswith="WHO").update(window_kind="who_percentiles")
    catalogue.filter(source_detail__startswith="CDC").update(window_kind="cdc_checkpoint")
    catalogue.filter(window_kind="").update(window_kind="typical_age")


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0007_audit_team_changes_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Source",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(unique=True)),
                (
                    "short_name",
                    models.CharField(help_text="As shown beside a window, e.g. “CDC 2022”.", max_length=60),
                ),
                (
                    "citation",
                    models.TextField(help_text="Authors, year, title, journal or publisher, volume and pages."),
                ),
                ("url", models.URLField(blank=True)),
            ],
            options={"ordering": ["short_name"]},
        ),
        migrations.RenameField(model_name="skill", old_name="source", new_name="source_detail"),
        migrations.AlterField(
            model_name="skill",
            name="source_detail",
            field=models.CharField(blank=True, max_length=300, verbose_name="where in the source"),
        ),
        migrations.AddField(
            model_name="skill",
            name="source",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="skills",
                to="tracker.source",
            ),
        ),
        migrations.AddField(
            model_name="skill",
            name="median_months",
            field=models.DecimalField(
                blank=True, decimal_places=1, max_digits=4, null=True, verbose_name="median (months)"
            ),
        ),
        migrations.AddField(model_name="skill", name="optional", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="skill", name="sequence", field=models.SlugField(blank=True, max_length=40)),
        migrations.AddField(
            model_name="skill",
            name="window_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("who_percentiles", "WHO 1st–99th percentile"),
                    ("cdc_checkpoint", "CDC 2022 checkpoint (3 in 4 children)"),
                    ("typical_age", "Typical age (when a skill is often seen)"),
                    ("set_for_child", "Set by a therapist for this child"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(kinds_from_old_sources, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="skill",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("window_end_months__isnull", True), ("window_kind", "")),
                    models.Q(("window_end_months__isnull", False), models.Q(("window_kind", ""), _negated=True)),
                    _connector="OR",
                ),
                name="skill_window_has_a_kind",
            ),
        ),
        migrations.AddField(
            model_name="observation",
            name="before_joining",
            field=models.BooleanField(default=False, verbose_name="achieved before joining (date estimated)"),
        ),
        migrations.CreateModel(
            name="LossReview",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reviewed_by_name", models.CharField(blank=True, max_length=150)),
                ("reviewed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "note",
                    models.TextField(blank=True, max_length=2000, verbose_name="what was decided (optional)"),
                ),
                (
                    "child",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="loss_reviews", to="tracker.child"
                    ),
                ),
                (
                    "last_achieved",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="loss_review",
                        to="tracker.observation",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-reviewed_at"]},
        ),
    ]
