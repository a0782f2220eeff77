"""Email addresses: verifying one, changing it, and undoing a change from the old address.

Links carry a signed token (django.core.signing, salted per purpose): the account, the address and a
fingerprint of the account's state (its address, whether that is verified, its password hash). A link
is therefore
- signed: nobody can make one without SECRET_KEY;
- expiring: `max_age` (VERIFY_FOR, UNDO_FOR);
- single-use: following it changes the state, and the fingerprint no longer matches; a password
  change or another address change also voids every link sent before.
Following a link is a POST from a page the link opens, so a mail scanner that fetches links does not
use it up.
"""

import hashlib
from datetime import timedelta

from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from tracker.services import one_line

from .models import User

VERIFY_FOR = timedelta(days=2)
UNDO_FOR = timedelta(days=14)
SALT = "accounts.email."


class BadLink(Exception):
    """A link that is not ours, has expired, or was already used; the message says which, for the person."""


def _state(user: User) -> str:
    return hashlib.sha256(f"{user.email}|{user.email_verified}|{user.password}".encode()).hexdigest()[:20]


def make_token(user: User, purpose: str, **values) -> str:
    return signing.dumps({"u": user.pk, "s": _state(user), **values}, salt=SALT + purpose, compress=True)


def read_token(token: str, purpose: str, max_age: timedelta) -> tuple[User, dict]:
    """The account and the values of a link; BadLink if it is not valid now."""
    try:
        values = signing.loads(token, salt=SALT + purpose, max_age=max_age)
    except signing.SignatureExpired:
        raise BadLink("This link has expired. Ask for a new one from your profile page.") from None
    except signing.BadSignature:
        raise BadLink("This link is not valid. Check that you copied all of it.") from None
    user = User.objects.filter(pk=values.get("u")).first()
    if user is None or values.get("s") != _state(user):
        raise BadLink("This link has already been used, or a newer one was sent. Ask for a new one if you need it.")
    return user, values


def _send(subject: str, body: str, to: str) -> None:
    transaction.on_commit(
        lambda: send_mail(subject=one_line(subject), message=body, from_email=None, recipient_list=[to])
    )


def send_verification(request: HttpRequest, user: User, email: str, *, next_path: str = "") -> None:
    """Mail `email` a link that confirms it for `user` (their own address, or a new one they asked for)."""
    token = make_token(user, "verify", e=email, n=next_path)
    link = request.build_absolute_uri(reverse("accounts:verify_email", args=[token]))
    changing = email.casefold() != user.email.casefold()
    _send(
        "Confirm your email address for the skills tracker",
        (
            f"Hello {one_line(user.name)},\n\n"
            + (
                f"You asked to use {email} for your skills tracker account instead of {user.email}.\n"
                if changing
                else "Please confirm that this is your email address for the skills tracker.\n"
            )
            + f"Open this link within {VERIFY_FOR.days} days to confirm (it works once):\n{link}\n\n"
            "If you did not ask for this, you can ignore this email."
        ),
        email,
    )


def send_already_registered(request: HttpRequest, email: str) -> None:
    """Tell an address that someone tried to sign up or move an account to it (it already has one)."""
    login = request.build_absolute_uri(reverse("accounts:login"))
    reset = request.build_absolute_uri(reverse("accounts:password_reset"))
    _send(
        "Someone tried to use your email address on the skills tracker",
        (
            "Someone tried to create an account, or move an account, to this email address, which "
            "already has an account on the skills tracker. Nothing was changed.\n\n"
            f"If it was you, log in: {login}\nForgotten your password? {reset}\n\n"
            "If it was not you, you can ignore this email."
        ),
        email,
    )


def send_change_notice(request: HttpRequest, user: User, *, old: str, new: str) -> None:
    """Tell the old address that the account moved to `new`, with a link that undoes it."""
    token = make_token(user, "undo", old=old, new=new)
    link = request.build_absolute_uri(reverse("accounts:email_undo", args=[token]))
    _send(
        "Your skills tracker email address was changed",
        (
            f"The email address of your skills tracker account was changed from {old} to {new}.\n\n"
            "If you did this, there is nothing to do.\n\n"
            f"If you did not, open this link within {UNDO_FOR.days} days to put {old} back. It signs the "
            f"account out everywhere and asks you to choose a new password:\n{link}\n"
        ),
        old,
    )
