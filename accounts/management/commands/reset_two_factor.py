"""Reset a person's two-factor authentication when they have lost their phone and their recovery codes.

`manage.py reset_two_factor EMAIL`: removes every second-factor device of the account and signs it out
everywhere; the person logs in with their password and sets two-factor up again (a therapist is asked
to at once). Only after checking who is asking, outside the app (docs/security.md, "Two-factor
authentication"): whoever can make you run this gets past the second factor.
"""

import django_otp
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.sessions import end_sessions


class Command(BaseCommand):
    help = "Remove a person's two-factor devices (lost phone and recovery codes) and sign them out everywhere."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="The account's email address.")

    def handle(self, *args, email: str, **options) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account has the address {email}.")
        with transaction.atomic():
            devices = list(django_otp.devices_for_user(user, confirmed=None))
            for device in devices:
                device.delete()
            end_sessions(user)
        self.stdout.write(
            f"Removed {len(devices)} two-factor device(s) of {user.email} and signed them out everywhere."
        )
