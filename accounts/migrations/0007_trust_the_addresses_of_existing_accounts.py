"""Accounts that existed before email verification keep working: their address counts as verified.

docs/security.md ("Email addresses") explains the choice: treating them as unverified would stop every
existing person from resetting a forgotten password, and the one way an unverified address could be
planted (changing it on the profile page, without a password) is closed by the same change.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    apps.get_model("accounts", "User").objects.update(email_verified=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_user_email_verified")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
