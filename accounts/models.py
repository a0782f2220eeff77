"""People who use the tracker: parents and carers, therapists, others.

People sign in with their email address; there is no separate username.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower

from .validators import validate_no_control_characters


class Profession(models.TextChoices):
    PARENT = "parent", "Parent or carer"
    OCCUPATIONAL_THERAPIST = "ot", "Occupational therapist"
    PHYSIOTHERAPIST = "pt", "Physiotherapist"
    OTHER = "other", "Other"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> "User":
        # Emails are matched case-insensitively, so "Ana@X.org" and "ana@x.org" are one person.
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractUser):
    """A person with an account, identified by email."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    name = models.CharField("your name", max_length=150, validators=[validate_no_control_characters])
    profession = models.CharField(max_length=10, choices=Profession.choices, default=Profession.PARENT)
    # Set when the person followed a link sent to `email` (accounts/email.py). Until then they can use their
    # own children's records but cannot join another team, and no password reset is sent to the address.
    email_verified = models.BooleanField(default=False, editable=False)
    # When the person last looked at "what changed" on their home page.
    changes_seen_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_case_insensitive"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    @property
    def is_therapist(self) -> bool:
        return self.profession in (Profession.OCCUPATIONAL_THERAPIST, Profession.PHYSIOTHERAPIST)


class Session(AbstractBaseSession):
    """A stored session, with the account it is signed in as (`SESSION_ENGINE = "accounts.sessions"`).

    Django's own session table keeps no link from an account to its sessions: ending a person's
    sessions meant decoding every stored session. With `user` indexed, it is one DELETE.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=True
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore


class KeptForm(models.Model):
    """What a person had typed into a form that reached the server after their session had expired.

    Kept server-side against the account, not in the browser: clinics share computers, and text about
    a child left in a browser's storage would be read by the next person at that computer (or kept on
    it for good). Here it is offered back only to the same person after they log in, deleted once they
    save it again or throw it away, and deleted after KEPT_FOR in any case (docs/security.md).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kept_forms")
    path = models.CharField(max_length=500)
    # [name, value] pairs in the order posted (a name may repeat).
    fields = models.JSONField(default=list)
    kept_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-kept_at", "-id"]

    def __str__(self) -> str:
        return f"{self.path} at {self.kept_at:%Y-%m-%d %H:%M}"
