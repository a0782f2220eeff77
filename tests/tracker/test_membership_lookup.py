"""ChildQuerySet.with_membership: the hand-written lookup every child page and chart starts with."""

import re
import uuid

import pytest

from tracker.models import CareTeamMembership, Child
from tracker.models.children import MEMBERSHIP_SQL

pytestmark = pytest.mark.django_db


def test_the_query_reads_every_column_of_a_child_in_field_order():
    """A field added to Child must be added to the lookup too, in the same place."""
    selected = re.findall(r"tracker_child\.(\w+)[,\s]", MEMBERSHIP_SQL.split(" FROM ")[0] + " ")
    assert selected == [field.column for field in Child._meta.concrete_fields]


def test_it_returns_the_child_as_the_orm_reads_it_and_the_members_place(ot, child):
    child.gestational_days = 31 * 7 + 2
    child.save()
    found, membership = Child.objects.with_membership(ot, child.public_id)
    expected = Child.objects.get(pk=child.pk)
    for field in Child._meta.concrete_fields:
        value, wanted = getattr(found, field.attname), getattr(expected, field.attname)
        assert (value, type(value)) == (wanted, type(wanted)), field.name
    stored = CareTeamMembership.objects.get(child=child, user=ot)
    assert (membership.pk, membership.role, membership.discipline) == (stored.pk, stored.role, stored.discipline)
    assert (membership.child, membership.user, membership._state.adding) == (found, ot, False)


def test_someone_not_on_the_team_gets_nothing(outsider, child):
    assert Child.objects.with_membership(outsider, child.public_id) is None


def test_an_unknown_child_gets_nothing(ot):
    assert Child.objects.with_membership(ot, uuid.uuid4()) is None
