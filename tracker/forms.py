"""Forms for a child's profile and care team."""

from datetime import date

from django import forms
from django.utils import timezone

from .models import CareTeamMembership, Child, Discipline, Invitation, Role


class ChildForm(forms.ModelForm):
    class Meta:
        model = Child
        fields = ["given_name", "family_name", "date_of_birth", "gestational_weeks"]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}
        labels = {"family_name": "Family name (optional)"}
        help_texts = {
            "gestational_weeks": "Optional: weeks of pregnancy at birth, 24 to 42. "
            "Leave empty for a baby born at term. Before 37 weeks we also show corrected age.",
        }

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future. Check the year.")
        if born.year < 1990:
            raise forms.ValidationError("Check the year: this tracker is for children, born after 1990.")
        return born

    def clean_gestational_weeks(self) -> int | None:
        weeks = self.cleaned_data["gestational_weeks"]
        if weeks is not None and not 24 <= weeks <= 42:
            raise forms.ValidationError("Enter the weeks of pregnancy at birth as a number from 24 to 42.")
        return weeks


class InvitationForm(forms.ModelForm):
    """Invite someone by email; the roles offered depend on the inviter's own role."""

    class Meta:
        model = Invitation
        fields = ["email", "role", "discipline"]
        labels = {"discipline": "Therapist's discipline"}
        help_texts = {"discipline": "Only for a therapist."}

    def __init__(self, *args, child: Child, roles: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.child = child
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in roles]
        self.fields["discipline"].choices = [("", "—")] + list(Discipline.choices)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if CareTeamMembership.objects.filter(child=self.child, user__email__iexact=email).exists():
            raise forms.ValidationError("This person is already on the care team.")
        if self.child.invitations.pending().filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "This email already has an invitation waiting. Revoke it below to send a new one."
            )
        return email

    def clean(self) -> dict:
        data = super().clean()
        if data.get("role") == Role.THERAPIST and not data.get("discipline"):
            self.add_error("discipline", "Choose the therapist's discipline (OT, PT or other).")
        if data.get("role") and data.get("role") != Role.THERAPIST:
            data["discipline"] = ""
        return data


class ConfirmNameForm(forms.Form):
    """Typing the child's name guards a permanent deletion against a slip of the finger."""

    name = forms.CharField(label="Type the child's given name to confirm", max_length=100)

    def __init__(self, *args, expected: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if name.casefold() != self.expected.casefold():
            raise forms.ValidationError(f"That does not match. Type “{self.expected}” exactly to delete.")
        return name
