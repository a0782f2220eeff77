"""Move the sessions in Django's table into accounts_session, each with the account it is signed in as.

A session whose data cannot be read (signed with an older secret key, or damaged) is signed out: it is
not copied. Expired sessions are not copied either. Reversing copies them back.
"""

from django.core import signing
from django.db import migrations
from django.utils import timezone

# What Django's SessionBase signs session data with (`"django.contrib.sessions." + class name`);
# our SessionStore keeps the class name, so its sessions are signed the same way.
SALT = "django.contrib.sessions.SessionStore"


def _user_id(session_data: str):
    try:
        data = signing.loads(session_data, salt=SALT, serializer=signing.JSONSerializer)
    except (signing.BadSignature, ValueError):
        return False
    value = data.get("_auth_user_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def forwards(apps, schema_editor):
    Old = apps.get_model("sessions", "Session")
    New = apps.get_model("accounts", "Session")
    User = apps.get_model("accounts", "User")
    users = set(User.objects.values_list("pk", flat=True))
    moved = []
    for old in Old.objects.filter(expire_date__gt=timezone.now()).iterator():
        user_id = _user_id(old.session_data)
        if user_id is False:
            continue
        moved.append(
            New(
                session_key=old.session_key,
                session_data=old.session_data,
                expire_date=old.expire_date,
                user_id=user_id if user_id in users else None,
            )
        )
    New.objects.bulk_create(moved, batch_size=500)
    Old.objects.all().delete()


def backwards(apps, schema_editor):
    Old = apps.get_model("sessions", "Session")
    New = apps.get_model("accounts", "Session")
    Old.objects.bulk_create(
        [
            Old(session_key=s.session_key, session_data=s.session_data, expire_date=s.expire_date)
            for s in New.objects.all()
        ],
        batch_size=500,
    )
    New.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_sessions_indexed_by_user"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
