"""Password rules Django does not ship (an upper bound on length), and one of Django's reworded."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

MAX_PASSWORD_LENGTH = 4096


class MaximumLengthValidator:
    """Refuse passwords longer than `max_length` characters.

    Long passphrases are welcome; the bound only stops a megabyte "password"
    from being hashed on every log-in attempt.
    """

    def __init__(self, max_length: int = MAX_PASSWORD_LENGTH) -> None:
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: use at most {self.max_length} characters (it has {len(password)}).",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {self.max_length} characters long; a long passphrase is good."


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's check against the email and name, worded for our fields (not "too similar to the your name")."""

    def __init__(self, user_attributes=("email", "name"), max_similarity: float = 0.7) -> None:
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def get_error_message(self) -> str:
        return "This password is too like your email address or name. Choose one that does not contain them."


def validate_no_control_characters(value: str) -> None:
    """Refuse line breaks, tabs and other control characters in a one-line field such as a name.

    A name is copied into email subjects ("Ana invited you…"); a CR or LF there is a header
    injection, and Django refused to send every invitation such a person made (issue 15, finding 6).
    """
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        raise ValidationError(
            "Use letters, spaces and punctuation only: no line breaks or tabs.", code="control_characters"
        )
