"""Forms for signing up, the profile and deleting an account."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm

from .models import User


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, labelled for email addresses."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean(self) -> dict:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            # Pass the address as `email` (the user model's USERNAME_FIELD), lower-cased:
            # django-axes reads failures from that key, so every attempt on one account,
            # from any address and in any letter case, counts towards the same lock.
            self.user_cache = authenticate(self.request, email=email.lower(), password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class SignUpForm(UserCreationForm):
    """Sign-up. The address is a plain form field, not checked against other accounts here.

    The page a sign-up gets is the same whether the address is new or taken (the view mails its owner
    instead), so sign-up cannot be used to find out who has an account (issue 15, finding 6). As a model
    field the form would refuse a taken address; the database still refuses a duplicate.
    """

    email = forms.EmailField(
        label="Email address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    field_order = ["email", "name", "profession", "password1", "password2"]

    class Meta:
        model = User
        fields = ["name", "profession"]
        help_texts = {"profession": "Therapists join a child's team as therapists, parents as guardians."}

    def clean_email(self) -> str:
        # Stored lower-cased: one spelling per person, for log-in lock-out and invitations alike.
        email = self.cleaned_data["email"].lower()
        self.instance.email = email  # the password is compared with it
        return email


class ProfileForm(forms.ModelForm):
    """Name and profession. The email address changes through EmailChangeForm (current password, a link)."""

    class Meta:
        model = User
        fields = ["name", "profession"]


class CurrentPasswordMixin:
    """A `password` field that must be the account's current password: a session alone changes nothing sensitive."""

    password_field = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Asked so that someone using a computer you left signed in cannot take over your account.",
    )

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That password is not right. Type the password you log in with.")
        return password


class EmailChangeForm(CurrentPasswordMixin, forms.Form):
    new_email = forms.EmailField(
        label="New email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send a link to the new address; your address changes when you open it.",
    )
    password = CurrentPasswordMixin.password_field

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_new_email(self) -> str:
        email = self.cleaned_data["new_email"].lower()
        if email == self.user.email.lower():
            raise forms.ValidationError("This is already your email address.")
        return email


class VerifiedPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending only to an address its owner has confirmed.

    An address planted on an account without confirmation (an old email change, a typo at sign-up)
    never receives a reset link, so it cannot be used to take the account over.
    """

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.email_verified)


class DeleteAccountForm(CurrentPasswordMixin, forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Type your password to confirm that you want to delete your account.",
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
