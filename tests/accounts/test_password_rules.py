"""Password rules: 12 characters at least, common ones refused, long and Unicode ones welcome, 4096 at most."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.validators import MaximumLengthValidator

pytestmark = pytest.mark.django_db

UNICODE = "påsswörd-ünïcødé-🔐-2026"
LONG = ("correct horse battery staple " * 7)[:200]
TOO_LONG = "x7#" * 1366  # 4098 characters


def _signup(browser: Client, password: str):
    data = {
        "email": "nina@example.org",
        "name": "Nina New",
        "profession": "parent",
        "password1": password,
        "password2": password,
    }
    return browser.post(reverse("accounts:signup"), data)


def _errors(response) -> list[str]:
    return response.context["form"].errors.get("password2", [])


def _login(browser: Client, password: str):
    return browser.post(reverse("accounts:login"), {"username": "nina@example.org", "password": password})


def test_long_password_is_200_characters():
    assert len(LONG) == 200


def test_eleven_characters_are_refused():
    response = _signup(Client(), "kq7#vb2!mz9")
    assert "This password is too short. It must contain at least 12 characters." in _errors(response)


def test_twelve_characters_are_accepted():
    _signup(Client(), "kq7#vb2!mz9w")
    assert User.objects.filter(email="nina@example.org").exists()


@pytest.mark.parametrize("common", ["password1234", "qwertyuiop123", "1q2w3e4r5t6y"])
def test_common_passwords_are_refused(common):
    response = _signup(Client(), common)
    assert "This password is too common." in _errors(response)


@pytest.mark.parametrize("password", [UNICODE, LONG], ids=["unicode", "200-characters"])
def test_long_and_unicode_passwords_are_accepted_at_signup(password):
    _signup(Client(), password)
    assert User.objects.get(email="nina@example.org").check_password(password)


@pytest.mark.parametrize("password", [UNICODE, LONG], ids=["unicode", "200-characters"])
def test_long_and_unicode_passwords_log_in(password):
    _signup(Client(), password)
    browser = Client()
    _login(browser, password)
    assert browser.session[SESSION_KEY] == str(User.objects.get(email="nina@example.org").pk)


def test_a_unicode_password_must_match_exactly_to_log_in():
    _signup(Client(), UNICODE)
    browser = Client()
    _login(browser, UNICODE.replace("ö", "o"))
    assert SESSION_KEY not in browser.session


def test_4096_characters_are_accepted():
    validate_password("x7#" * 1365 + "a")  # 4096 characters


def test_more_than_4096_characters_are_refused_with_a_clear_message():
    response = _signup(Client(), TOO_LONG)
    assert "This password is too long: use at most 4096 characters (it has 4098)." in _errors(response)


def test_too_long_password_creates_no_account():
    _signup(Client(), TOO_LONG)
    assert not User.objects.exists()


def test_maximum_length_is_explained_next_to_the_field():
    assert "up to 4096 characters" in Client().get(reverse("accounts:signup")).content.decode()


def test_maximum_length_validator_counts_characters_not_bytes():
    MaximumLengthValidator(max_length=4).validate("🔐🔐🔐🔐")
    with pytest.raises(ValidationError):
        MaximumLengthValidator(max_length=4).validate("🔐🔐🔐🔐🔐")


def test_a_password_like_ones_name_is_refused_in_plain_words():
    data = {
        "email": "nina@example.org",
        "name": "Wilhelmina Stravinskaya",
        "profession": "parent",
        "password1": "WilhelminaStravinskaya",
        "password2": "WilhelminaStravinskaya",
    }
    response = Client().post(reverse("accounts:signup"), data)
    assert "This password is too like your email address or name. Choose one that does not contain them." in _errors(
        response
    )


def test_a_password_like_ones_email_is_refused():
    data = {
        "email": "wilhelmina.stravinskaya@example.org",
        "name": "Nina",
        "profession": "parent",
        "password1": "wilhelmina.stravinskaya",
        "password2": "wilhelmina.stravinskaya",
    }
    response = Client().post(reverse("accounts:signup"), data)
    assert "too like your email address or name" in _errors(response)[0]
