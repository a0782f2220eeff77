"""The staff admin's catalogue (domains, sources, skills and their windows) and the audit trail, read only.

Registered on `config.staff.staff_site`, never Django's default site. Only catalogue skills are
here: a therapist's custom skill belongs to one child's record. A catalogue form refuses what
`manage.py catalogue_report` refuses, with the same rules (tracker/catalogue.py), and a saved change
moves every child's `data_version` as a reload does, so no page or chart drawn before is served
again (`services.catalogue_changed`). Nothing of the catalogue is deleted here: observations and
activities point at it, and a skill dropped from fixtures/catalogue.json stays until its records go.
A change made here outlives the next `manage.py load_catalogue`, which names it
(services.keep_staff_changes).
"""

from django import forms
from django.contrib import admin
from django.utils import timezone

from config.staff import AuditedAdmin, staff_site

from . import catalogue, services
from .models import AuditEvent, Domain, Skill, Source


class CatalogueAdmin(AuditedAdmin):
    """Add and change, never delete; every saved change moves the cached pages.

    A saved row is marked as changed here, so the next `load_catalogue` keeps it rather than the fixture's.
    """

    readonly_fields = ["staff_changed_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        obj.staff_changed_at = timezone.now()
        super().save_model(request, obj, form, change)
        services.catalogue_changed()  # in the admin's transaction: the change and the move commit together


@admin.register(Domain, site=staff_site)
class DomainAdmin(CatalogueAdmin):
    list_display = ["name", "slug", "discipline", "order", "colour"]
    ordering = ["order", "name"]


class SourceForm(forms.ModelForm):
    url = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Source
        fields = ["slug", "short_name", "citation", "url"]

    def clean_citation(self) -> str:
        citation = self.cleaned_data["citation"]
        for why in catalogue.source_problems(citation):
            self.add_error("citation", f"A reader could not find this source: {why}.")
        return citation


@admin.register(Source, site=staff_site)
class SourceAdmin(CatalogueAdmin):
    form = SourceForm
    list_display = ["short_name", "slug", "url"]
    search_fields = ["short_name", "slug", "citation"]


class CatalogueSkillForm(forms.ModelForm):
    """A catalogue skill, checked by the rules `manage.py catalogue_report` enforces."""

    class Meta:
        model = Skill
        fields = [
            "domain",
            "slug",
            "name",
            "description",
            "window_kind",
            "window_start_months",
            "window_end_months",
            "median_months",
            "source",
            "source_detail",
            "optional",
            "sequence",
            "order",
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        source = cleaned.get("source")
        entry = catalogue.Entry(
            slug=cleaned.get("slug") or "",
            start=cleaned.get("window_start_months"),
            end=cleaned.get("window_end_months"),
            median=cleaned.get("median_months"),
            kind=cleaned.get("window_kind") or "",
            source=source.slug if source else "",
            source_detail=cleaned.get("source_detail") or "",
        )
        for why in catalogue.skill_problems(entry):
            self.add_error(None, f"A reader could not check this skill: {why}.")
        return cleaned


@admin.register(Skill, site=staff_site)
class SkillAdmin(CatalogueAdmin):
    form = CatalogueSkillForm
    list_display = [
        "slug",
        "name",
        "domain",
        "window_kind",
        "window_start_months",
        "window_end_months",
        "median_months",
        "source",
        "optional",
        "staff_changed_at",
    ]
    list_filter = ["domain", "window_kind", "source", "optional"]
    list_select_related = ["domain", "source"]
    search_fields = ["slug", "name"]

    def get_queryset(self, request):
        # The catalogue only: a custom skill is part of one child's record, and staff see no child's record.
        return super().get_queryset(request).catalogue()


@admin.register(AuditEvent, site=staff_site)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: who did what, when, to which kind of object.

    Events about a child show its opaque id, never its name or the summary: a summary can say what was
    recorded ("Recorded achieved for skill …"), which is the child's record. Staff events show theirs.
    """

    list_display = ["at", "actor_name", "action", "object_type", "object_id", "child_public_id", "shown_summary"]
    # Filters that need no pass over the table, which grows with every page view: the action's fixed
    # choices and date ranges (a filter by object type or a date hierarchy reads every row's value).
    list_filter = ["action", "at"]
    search_fields = ["actor_name", "object_id", "child_public_id__iexact"]
    show_full_result_count = False
    fields = list_display
    readonly_fields = list_display

    @admin.display(description="summary")
    def shown_summary(self, event: AuditEvent) -> str:
        return event.summary if event.child_public_id is None else "(about a child's record: not shown here)"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
