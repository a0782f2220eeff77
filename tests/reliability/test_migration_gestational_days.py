"""Migration 0009: gestational age in whole weeks became days, keeping every child's correction exactly.

Run on a real schema: migrated back to 0008, a child is stored with the old field in whole weeks, then
migrated forward (to the latest) and back again. Transactional, since migrating changes the schema; the
flush afterwards empties the catalogue, which the tests that need it after this one load again.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tracker", "0008_skill_sources_window_kinds_and_loss_reviews")]
AFTER = [("tracker", "0009_child_gestational_age_in_days")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()  # the graph as the last migration left it
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes("tracker")


def test_whole_weeks_become_the_same_days_and_go_back_to_completed_weeks():
    latest = _latest()
    try:
        old = _migrate(BEFORE)
        Child = old.get_model("tracker", "Child")
        born = {"date_of_birth": "2026-01-15", "family_name": "Example"}
        for name, weeks in (("Term", None), ("Thirty", 30), ("ThirtySix", 36)):
            Child.objects.create(given_name=name, gestational_weeks=weeks, **born)
        new = _migrate(AFTER)
        days = dict(new.get_model("tracker", "Child").objects.values_list("given_name", "gestational_days"))
        assert days == {"Term": None, "Thirty": 210, "ThirtySix": 252}
        new.get_model("tracker", "Child").objects.filter(given_name="ThirtySix").update(gestational_days=258)
        back = _migrate(BEFORE)
        weeks = dict(back.get_model("tracker", "Child").objects.values_list("given_name", "gestational_weeks"))
        assert weeks == {"Term": None, "Thirty": 30, "ThirtySix": 36}  # 36+6 goes back as 36 completed weeks
    finally:
        _migrate(latest)
