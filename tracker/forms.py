"""Forms for a child's profile and care team."""

from datetime import date

from django import forms
from django.utils import timezone

from . import ages
from .models import (
    NOTE_TEXT_LIMIT,
    CareTeamMembership,
    Child,
    Discipline,
    Domain,
    Goal,
    Invitation,
    Note,
    NoteKind,
    Observation,
    Role,
    Skill,
    Visibility,
    WindowKind,
)


class NativeDateInput(forms.DateInput):
    """The browser's date picker; it reads and writes ISO dates whatever the site's locale."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ChildForm(forms.ModelForm):
    # Typed as on a discharge letter ("36+6"), kept in days on the child.
    gestational_age = forms.CharField(
        label="Gestational age at birth (optional)",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "text", "placeholder": "e.g. 36+6", "autocomplete": "off"}),
        help_text="Completed weeks and days, as on the discharge letter: 36+6, or 34 for 34+0. "
        "Leave empty for a baby born at term. Before 37+0 weeks we also show corrected age.",
    )

    class Meta:
        model = Child
        fields = ["given_name", "family_name", "date_of_birth"]
        widgets = {"date_of_birth": NativeDateInput()}
        labels = {"family_name": "Family name (optional)"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.gestational_days is not None:
            self.initial.setdefault("gestational_age", self.instance.gestational_age)

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future. Check the year.")
        if born.year < 1990:
            raise forms.ValidationError("Check the year: this tracker is for children, born after 1990.")
        return born

    def clean_gestational_age(self) -> int | None:
        text = self.cleaned_data["gestational_age"].strip()
        if not text:
            return None
        try:
            days = ages.parse_gestation(text)
        except ValueError:
            raise forms.ValidationError(
                "Enter completed weeks and days as on the discharge letter, for example 36+6 (or 34 for 34+0)."
            ) from None
        if not ages.GESTATION_MIN_DAYS <= days <= ages.GESTATION_MAX_DAYS:
            raise forms.ValidationError("Enter a gestational age from 24+0 to 42+6 weeks.")
        return days

    def _post_clean(self) -> None:
        # Before the model's own validation, so its range check sees the value too.
        if "gestational_age" in self.cleaned_data:
            self.instance.gestational_days = self.cleaned_data["gestational_age"]
        super()._post_clean()


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
        self.instance.child = child
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


class ObservationForm(forms.ModelForm):
    """Record what the child did. The date defaults to today when left empty (one-tap buttons)."""

    class Meta:
        model = Observation
        fields = ["status", "observed_on", "assistance", "note"]
        widgets = {
            "status": forms.RadioSelect,
            "observed_on": NativeDateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"assistance": "Level of assistance (optional)", "note": "Note (optional)"}
        help_texts = {"assistance": "How much help the child needed, from dependent to independent."}
        error_messages = {"status": {"invalid_choice": "Choose not yet, emerging or achieved."}}

    def __init__(self, *args, child: Child, skill: Skill, rates_assistance: bool = True, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("observed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.instance.child = child
        self.instance.skill = skill
        self.fields["observed_on"].required = False
        self.fields["status"].choices = list(self.fields["status"].choices)[1:]  # no empty choice
        if not rates_assistance:
            # The clinical scale ("Dependent (under 25 % effort)") is the therapists' to use.
            del self.fields["assistance"]

    def clean_observed_on(self) -> date:
        return self.cleaned_data.get("observed_on") or timezone.localdate()


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is this observation withdrawn?",
        max_length=200,
        help_text="For example: recorded for the wrong skill, or by mistake.",
        error_messages={"required": "Give a reason for withdrawing, for example: recorded for the wrong skill."},
    )


class LossReviewForm(forms.Form):
    note = forms.CharField(
        label="What was decided (optional)",
        required=False,
        max_length=2000,
        error_messages={"max_length": "Keep the note to 2,000 characters (it has %(show_value)d)."},
    )


class CatchUpForm(forms.Form):
    """The family confirms, in one go, which earlier skills the child already does ("does all of these")."""

    skills = forms.MultipleChoiceField(
        label="Skills your child already does",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Tick the skills your child already does, or go back to the overview if none.",
            "invalid_choice": "One of the ticked skills is no longer waiting to be checked. Look at the list again.",
        },
    )

    def __init__(self, *args, skills, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.offered = {skill.slug: skill for skill in skills}
        self.fields["skills"].choices = [(skill.slug, skill.name) for skill in skills]
        self.fields["skills"].initial = list(self.offered)

    def clean_skills(self) -> list:
        return [self.offered[slug] for slug in self.cleaned_data["skills"]]


class CustomSkillForm(forms.ModelForm):
    """A skill a therapist adds for one child; it appears only in that child's checklists."""

    class Meta:
        model = Skill
        fields = ["domain", "name", "description", "window_start_months", "window_end_months", "source_detail"]
        labels = {
            "window_start_months": "Expected from (months, optional)",
            "window_end_months": "Expected by (months, optional)",
            "source_detail": "Where the age window comes from (optional)",
        }
        help_texts = {
            "window_end_months": "A window you set for this child is shown as yours, and never raises an "
            "“overdue” alarm: only published “most children by” ages do.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = Domain.objects.all()
        self.fields["domain"].empty_label = None

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("window_start_months"), data.get("window_end_months")
        if (start is None) != (end is None):
            self.add_error(
                "window_end_months" if end is None else "window_start_months",
                "Give both ends of the age window, or neither.",
            )
        elif start is not None and not 0 <= start < end <= 216:
            self.add_error("window_end_months", "The window must start before it ends, between 0 and 216 months.")
        self.instance.window_kind = WindowKind.SET_FOR_CHILD if end is not None else ""
        return data


SOAP_SECTIONS = ("subjective", "objective", "assessment", "plan")


def skills_by_area(skills) -> list[tuple[str, list[tuple[int, str]]]]:
    """Choices grouped by area, in the areas' order: [(area name, [(pk, skill name), …]), …]."""
    grouped: dict[int, tuple[str, list]] = {}
    for skill in sorted(skills, key=lambda s: (s.domain.order, s.order, s.name)):
        grouped.setdefault(skill.domain_id, (skill.domain.name, []))[1].append((skill.pk, skill.name))
    return list(grouped.values())


class NoteForm(forms.ModelForm):
    """A note whose fields follow its kind and its writer.

    A parent writes family updates: a date and a note, never SOAP sections,
    kind or visibility (always shared with the family). A therapist picks the
    kind: a session note is written in S/O/A/P (any one of them will do), a
    general note or family update in the Note field; care-team-only is the
    default, and a family update is always shared. Linked skills are a
    checkbox list grouped by area with a filter box (tracker/_choice_picker.html).
    """

    submission_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Note
        fields = [
            "kind",
            "visibility",
            "session_date",
            "body",
            *SOAP_SECTIONS,
            "skills",
            "goals",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "visibility": forms.RadioSelect,
            # ISO, whatever the locale: a date input shows nothing for "22/11/2026".
            "session_date": NativeDateInput(),
            "body": forms.Textarea(attrs={"rows": 6}),
            "subjective": forms.Textarea(attrs={"rows": 3}),
            "objective": forms.Textarea(attrs={"rows": 3}),
            "assessment": forms.Textarea(attrs={"rows": 3}),
            "plan": forms.Textarea(attrs={"rows": 3}),
            "skills": forms.CheckboxSelectMultiple,
            "goals": forms.CheckboxSelectMultiple,
        }
        labels = {
            "kind": "Kind of note",
            "visibility": "Who may read it",
            "session_date": "Date of the session or event",
            "body": "Note",
            "subjective": "S — Subjective (what the family or child reports)",
            "objective": "O — Objective (what you observed and measured)",
            "assessment": "A — Assessment (your interpretation)",
            "plan": "P — Plan (next steps)",
            "skills": "Linked skills (optional)",
            "goals": "Linked goals (optional)",
        }
        help_texts = {
            "body": "Plain text; line breaks are kept.",
            "visibility": "Care-team-only notes are not shown to parents or viewers. Family updates are always shared.",
        }

    def __init__(self, *args, child: Child, kinds: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.child = child
        self.family_only = kinds == [NoteKind.FAMILY_UPDATE]
        self.fields["kind"].choices = [(value, label) for value, label in NoteKind.choices if value in kinds]
        self.fields["visibility"].choices = list(Visibility.choices)  # no "---------"
        if self.family_only:
            # A parent writes family updates, always shared with the whole team: no kind, visibility or SOAP.
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["visibility"].widget = forms.HiddenInput()
            self.fields["visibility"].required = False
            for name in SOAP_SECTIONS:
                del self.fields[name]
        # The Note field is required (and marked so) unless the note posted is a session note, written in
        # S/O/A/P; on a therapist's form the page shows it only for the kinds that need it.
        self.fields["body"].required = not (self.is_bound and self._kind() == NoteKind.SESSION)
        skills = Skill.objects.for_child(child).select_related("domain")
        self.fields["skills"].queryset = skills
        self.fields["skills"].choices = skills_by_area(skills)
        self.fields["goals"].queryset = Goal.objects.for_child(child)
        self.fields["goals"].required = False
        self.fields["skills"].required = False
        self.fields["body"].error_messages["required"] = "Write the note here."
        for name in ("body", *SOAP_SECTIONS):
            if name in self.fields:
                self.fields[name].error_messages["max_length"] = (
                    f"This section is too long: at most {NOTE_TEXT_LIMIT:,} characters "
                    "(it has %(show_value)s). Split it into two notes; your text is still here."
                )

    def _kind(self) -> str:
        """The kind of note posted."""
        return self.data.get(self.add_prefix("kind"), "")

    @property
    def soap_fields(self) -> list:
        return [self[name] for name in SOAP_SECTIONS if name in self.fields]

    def clean_session_date(self) -> date:
        day = self.cleaned_data["session_date"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        if day < self.child.date_of_birth:
            raise forms.ValidationError("The date cannot be before the child's birth.")
        return day

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind == NoteKind.FAMILY_UPDATE:
            data["visibility"] = Visibility.FAMILY
        elif not data.get("visibility") and "visibility" not in self.errors:
            self.add_error("visibility", "Choose who may read this note.")
        if kind == NoteKind.SESSION:
            if not any(data.get(name, "").strip() for name in SOAP_SECTIONS) and not self.has_error("subjective"):
                self.add_error("subjective", "Write at least one of the SOAP sections.")
        elif kind and not data.get("body", "").strip() and not self.has_error("body"):
            self.add_error("body", "Write the note here.")
        return data
