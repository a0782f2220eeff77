"""Forms for therapy goals, their reviews, and the period of a progress review."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from .models import REVIEW_NOTICE_DAYS, Child, Domain, GasLevel, Goal, GoalReview, Skill

LEVEL_FIELDS = {
    -2: "level_minus_2",
    -1: "level_minus_1",
    0: "level_0",
    1: "level_plus_1",
    2: "level_plus_2",
}


_REVIEW_HELP = (
    "A review before the target date, e.g. mid-way through the block. Left empty, the goal is reviewed at its "
    f"target date. Goal-review emails go out {REVIEW_NOTICE_DAYS} days before."
)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalForm(forms.ModelForm):
    """A SMART goal about an area or one skill, with optional GAS level descriptors.

    Built to be set in a few taps: the area starts as the one the therapist's
    discipline leads, the skills are radio buttons grouped by area that follow
    the chosen area and can be filtered by typing (tracker/_choice_picker.html),
    and the target date starts 12 weeks ahead.

    On an edit, `version` carries the goal's fingerprint as the form saw it
    (`services.goal_version`), so a save over someone else's newer edit is
    refused rather than lost.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Goal
        fields = [
            "domain",
            "skill",
            "description",
            "target_date",
            "review_on",
            "status",
            "weight",
            "baseline_level",
            *LEVEL_FIELDS.values(),
        ]
        widgets = {
            "domain": forms.RadioSelect,
            "skill": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
            "target_date": _date_input(),
            "review_on": _date_input(),
            "baseline_level": forms.RadioSelect,
            **{name: forms.TextInput() for name in LEVEL_FIELDS.values()},
        }
        labels = {
            "domain": "Area",
            "skill": "Skill (optional)",
            "description": "Goal",
            "weight": "Weight in the T-score",
            "baseline_level": "Level now (baseline)",
            "review_on": "Next review (optional)",
        }
        help_texts = {
            "skill": "If the goal is about one skill of the checklist.",
            "description": "Specific, measurable and timed: what the child will do, how well, by when.",
            "weight": "1 for every goal unless some matter more (1 to 10).",
            "baseline_level": "Usually −1 or −2: where the child is when the goal is set.",
            "review_on": _REVIEW_HELP,
        }

    def __init__(self, *args, child: Child, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.child = child
        self.instance.child = child
        domains = list(Domain.objects.all())
        self.fields["domain"].queryset = Domain.objects.all()
        self.fields["domain"].choices = [(domain.pk, domain.name) for domain in domains]
        skills = Skill.objects.for_child(child).select_related("domain")
        self.fields["skill"].queryset = skills
        grouped = {domain.pk: (domain.name, []) for domain in domains}
        for skill in skills:
            grouped[skill.domain_id][1].append((skill.pk, skill.name))
        self.fields["skill"].choices = [
            ("", "No one skill: the whole area"),
            *[group for group in grouped.values() if group[1]],
        ]
        self.fields["baseline_level"].choices = [("", "Not set"), *GasLevel.choices]
        if self.instance.pk is None:
            del self.fields["status"]
            del self.fields["version"]
            self.initial.setdefault("domain", _led_area(child, domains))
            self.initial.setdefault("target_date", timezone.localdate() + timedelta(weeks=TARGET_WEEKS))
        self.fields["description"].error_messages["required"] = "Write the goal: what, how well, by when."
        self.fields["target_date"].error_messages["required"] = "Give the date the goal should be met by."

    @property
    def level_fields(self) -> list:
        return [self[name] for name in LEVEL_FIELDS.values()]

    @property
    def folded_errors(self) -> bool:
        """Whether a field folded under "Weight and level descriptions" has an error (it is then unfolded)."""
        return any(self.has_error(name) for name in ("weight", *LEVEL_FIELDS.values()))

    def clean_target_date(self) -> date:
        day = self.cleaned_data["target_date"]
        if day < self.child.date_of_birth:
            raise forms.ValidationError("The target date cannot be before the child's birth.")
        if self.instance.pk is None and day < timezone.localdate():
            raise forms.ValidationError("The target date of a new goal cannot be in the past.")
        return day

    def clean_review_on(self) -> date | None:
        day = self.cleaned_data["review_on"]
        # An edit may keep a next review that has passed; it cannot move one into the past.
        if day is not None and day < timezone.localdate() and day != self.instance.review_on:
            raise forms.ValidationError("The next review cannot be in the past.")
        return day

    def clean(self) -> dict:
        data = super().clean()
        domain, skill = data.get("domain"), data.get("skill")
        if domain is None and skill is None and not self.has_error("domain") and not self.has_error("skill"):
            self.add_error("domain", "Choose the area or the skill this goal is about.")
        elif skill is not None and domain is not None and skill.domain_id != domain.pk:
            self.add_error("skill", f"This skill is in {skill.domain.name}: choose that area, or leave the area empty.")
        elif skill is not None and domain is None:
            data["domain"] = skill.domain
        return data


# A new goal's target date starts this far ahead: a usual block of therapy, changed in one tap.
TARGET_WEEKS = 12


def _led_area(child: Child, domains: list) -> int | None:
    """The first area the therapist's discipline leads (PT: gross motor; OT: fine motor), if any."""
    membership = getattr(child, "membership", None)
    discipline = getattr(membership, "discipline", "")
    return next((domain.pk for domain in domains if domain.discipline == discipline), None)


class GoalReviewForm(forms.ModelForm):
    """The GAS level a goal reached on a date; the goal's own level descriptions label the choices.

    It also sets when the goal is next reviewed. A review already planned beyond the coming
    reminder window is offered again; one that is due now is what this review answers, so the
    field starts empty (the target date).
    """

    next_review = forms.DateField(label="Next review (optional)", required=False, widget=_date_input())

    class Meta:
        model = GoalReview
        fields = ["reviewed_on", "level", "comment"]
        widgets = {
            "reviewed_on": _date_input(),
            "level": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"reviewed_on": "Date of the review", "level": "Level reached", "comment": "Comment (optional)"}

    def __init__(self, *args, goal: Goal, **kwargs) -> None:
        today = timezone.localdate()
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("reviewed_on", today)
        if goal.review_on and goal.review_on > today + timedelta(days=REVIEW_NOTICE_DAYS):
            initial.setdefault("next_review", goal.review_on)
        super().__init__(*args, **kwargs)
        self.fields[
            "next_review"
        ].help_text = (
            f"Left empty, the goal is next reviewed at its target date ({date_format(goal.target_date, 'j M Y')})."
        )
        self.goal = goal
        self.instance.goal = goal
        choices = []
        for value, label in GasLevel.choices:
            described = getattr(goal, LEVEL_FIELDS[value])
            choices.append((value, f"{label}: {described}" if described else label))
        self.fields["level"].choices = choices
        self.fields["level"].error_messages["required"] = "Choose the level the goal has reached."
        self.fields["level"].error_messages["invalid_choice"] = "Choose one of the five levels, −2 to +2."

    def clean_reviewed_on(self) -> date:
        day = self.cleaned_data["reviewed_on"]
        set_on = timezone.localtime(self.goal.created_at).date()
        if day > timezone.localdate():
            raise forms.ValidationError("The review date cannot be in the future.")
        if day < set_on:
            raise forms.ValidationError(
                f"The review date cannot be before the goal was set ({date_format(set_on, 'j M Y')})."
            )
        return day

    def clean_next_review(self) -> date | None:
        day = self.cleaned_data["next_review"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError("The next review must be after today.")
        return day


class PeriodForm(forms.Form):
    """A period of the child's life, `from` and `to` (both optional: from birth, to today)."""

    def __init__(self, *args, child: Child, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.child = child
        # "from" is a Python keyword, so the fields are added here rather than declared.
        self.fields["from"] = forms.DateField(label="From", required=False, widget=_date_input())
        self.fields["to"] = forms.DateField(label="To", required=False, widget=_date_input())

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        born = self.child.date_of_birth
        if end is not None and end > timezone.localdate():
            self.add_error("to", "The period cannot end after today.")
        if end is not None and end < born:
            self.add_error("to", f"The period cannot end before the birth date ({date_format(born, 'j M Y')}).")
        if start is not None and start < born:
            self.add_error("from", f"The period cannot start before the birth date ({date_format(born, 'j M Y')}).")
        if start is not None and end is not None and start > end:
            self.add_error("from", "The start of the period must be on or before its end.")
        return data

    @property
    def period(self) -> tuple[date | None, date]:
        """(start or None for 'from birth', end) once valid."""
        return self.cleaned_data.get("from"), self.cleaned_data.get("to") or timezone.localdate()
