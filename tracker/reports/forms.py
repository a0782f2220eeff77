"""The forms of reports: what to put in one, how long a share link lasts, and a link's passcode."""

from datetime import date

from django import forms
from django.conf import settings
from django.utils import timezone

from .. import ages
from ..models import Child, Note, Paper, ReportKind, ReportScope, Visibility

DEFAULT_MONTHS = 6


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NoteChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, note: Note) -> str:
        shared = "shared with the family" if note.visibility == Visibility.FAMILY else "care team only"
        text = note.body or note.assessment or note.subjective or note.plan or note.objective
        when = ages.date_in_words(note.session_date)
        return f"{when} · {note.get_kind_display()} by {note.author_name} ({shared}): {text[:90]}"


class ReportForm(forms.Form):
    """Which report, for which period, on which paper, with which notes (and a therapist's recommendations)."""

    kind = forms.ChoiceField(label="Report", widget=forms.RadioSelect)
    scope = forms.ChoiceField(
        label="Covers",
        choices=ReportScope.choices,
        required=False,
        help_text="For a therapist report: your discipline's goals and areas, or both disciplines'.",
    )
    start = forms.DateField(label="From", widget=_date_input())
    end = forms.DateField(label="To", widget=_date_input())
    paper = forms.ChoiceField(label="Paper", choices=Paper.choices, initial=Paper.A4)
    notes = NoteChoice(
        label="Notes to include",
        queryset=Note.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Notes of the period you may read. A report for the family never includes a care-team-only note.",
    )
    recommendations = forms.CharField(
        label="Recommendations (therapist report)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, child: Child, kinds: list[str], notes, discipline: str = "", **kwargs) -> None:
        today = timezone.localdate()
        kwargs.setdefault(
            "initial",
            {
                "kind": kinds[0],
                "scope": discipline if discipline in ReportScope.values else ReportScope.JOINT,
                "start": max(child.date_of_birth, ages.add_months(today, -DEFAULT_MONTHS)),
                "end": today,
                "paper": Paper.A4,
            },
        )
        super().__init__(*args, **kwargs)
        self.child = child
        self.fields["kind"].choices = [(kind, ReportKind(kind).label) for kind in kinds]
        self.fields["notes"].queryset = notes
        if ReportKind.THERAPIST not in kinds:
            del self.fields["scope"]
            del self.fields["recommendations"]

    def clean_end(self) -> date:
        end = self.cleaned_data["end"]
        if end > timezone.localdate():
            raise forms.ValidationError("The period cannot end after today.")
        return end

    def clean_start(self) -> date:
        start = self.cleaned_data["start"]
        if start < self.child.date_of_birth:
            raise forms.ValidationError(f"Choose a day on or after the date of birth ({self.child.date_of_birth}).")
        return start

    def clean(self) -> dict:
        data = super().clean()
        start, end, kind = data.get("start"), data.get("end"), data.get("kind")
        if start and end and start > end:
            self.add_error("start", "The period must start on or before its last day.")
        if kind == ReportKind.THERAPIST and not data.get("scope"):
            self.add_error("scope", "Choose which discipline's goals the report covers.")
        notes = data.get("notes") or []
        if kind == ReportKind.FAMILY and any(note.visibility != Visibility.FAMILY for note in notes):
            self.add_error("notes", "A report for the family cannot include a care-team-only note: untick it.")
        if start and end and any(not start <= note.session_date <= end for note in notes):
            self.add_error("notes", "Choose notes from the report's period only.")
        return data


class ShareForm(forms.Form):
    """A link for someone outside the team: how long it works, whether it needs a passcode."""

    days = forms.IntegerField(
        label="Link works for (days)",
        initial=settings.REPORT_SHARE_DEFAULT_DAYS,
        help_text=f"1 to {settings.REPORT_SHARE_MAX_DAYS} days; you can revoke it sooner.",
    )
    shared_with = forms.CharField(label="Who it is for (optional)", required=False, max_length=120)
    passcode = forms.BooleanField(
        label="Protect it with a passcode (shown once: pass it on separately, e.g. by phone)",
        required=False,
        initial=True,
    )

    def clean_days(self) -> int:
        days = self.cleaned_data["days"]
        if not 1 <= days <= settings.REPORT_SHARE_MAX_DAYS:
            raise forms.ValidationError(
                f"A link can work for 1 to {settings.REPORT_SHARE_MAX_DAYS} days; "
                f"choose {settings.REPORT_SHARE_MAX_DAYS} or fewer."
            )
        return days


class PasscodeForm(forms.Form):
    passcode = forms.CharField(label="Passcode", max_length=64, strip=True)
