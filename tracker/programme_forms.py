"""Forms for the home programme (activities, a practice tap) and each person's reminder settings."""

from django import forms
from django.conf import settings
from django.db.models import Q

from .forms import NativeDateInput
from .models import Activity, ActivityTemplate, Child, Goal, HowItWent, ReminderKind, ReminderSettings, Skill


class ActivityForm(forms.ModelForm):
    """An activity for the family; from a template, its text is the starting point to adapt.

    On an edit, `version` carries the activity as the form saw it, so a save over someone else's newer edit
    is refused, not lost.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    link = forms.URLField(
        label=Activity._meta.get_field("link").verbose_name.capitalize(),
        help_text=Activity._meta.get_field("link").help_text,
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    keep_as_template = forms.BooleanField(
        label="Also keep this as one of my templates, to reuse with other children",
        required=False,
    )

    class Meta:
        model = Activity
        fields = ["title", "instructions", "times_per_week", "link", "goal", "skills", "start_on", "end_on"]
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 5}),
            "start_on": NativeDateInput(),
            "end_on": NativeDateInput(),
            "skills": forms.SelectMultiple(attrs={"size": 8}),
        }
        labels = {"goal": "Goal it serves (optional)", "skills": "Skills it works on (optional)"}
        help_texts = {
            "instructions": "What to do, in everyday words the family can follow at home.",
            "skills": "Hold Ctrl (or ⌘) to choose more than one.",
        }

    def __init__(self, *args, child: Child, template: ActivityTemplate | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.child = child
        if template is not None:
            self.instance.template = template
        # Active goals, and the one already chosen even if it has since been met or stopped.
        chosen = Q(pk=self.instance.goal_id) if self.instance.goal_id else Q(pk__in=[])
        self.fields["goal"].queryset = Goal.objects.for_child(child).filter(Q(status="active") | chosen)
        self.fields["goal"].empty_label = "—"
        self.fields["skills"].queryset = Skill.objects.for_child(child).select_related("domain")
        self.fields["skills"].required = False
        if self.instance.pk is not None:
            del self.fields["keep_as_template"]

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()


class PracticeForm(forms.Form):
    """The one-tap log: everything but the tap itself is optional."""

    how = forms.ChoiceField(
        label="How did it go?", choices=[("", "—"), *HowItWent.choices], required=False, widget=forms.RadioSelect
    )
    comment = forms.CharField(label="Comment (optional)", required=False, max_length=1000, widget=forms.Textarea)


class ReminderSettingsForm(forms.ModelForm):
    class Meta:
        model = ReminderSettings
        fields = [*ReminderKind.values, "quiet_from", "quiet_until"]
        widgets = {
            **dict.fromkeys(ReminderKind.values, forms.RadioSelect),
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {kind.value: kind.label for kind in ReminderKind}
        # Reminders are planned on the service's clock, not the phone's: say which clock that is.
        help_texts = {
            "quiet_from": f"Nothing is sent between these times ({settings.TIME_ZONE} time); it waits until they end."
        }

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("quiet_from") is None) != (data.get("quiet_until") is None):
            missing = "quiet_until" if data.get("quiet_until") is None else "quiet_from"
            self.add_error(missing, "Give both times for quiet hours, or leave both empty.")
        return data
