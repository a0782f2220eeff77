"""The home programme's part of the family's data export (tracker/export.py): activities and every practice
logged, undone ones included and marked, as the history keeps them. Three queries."""

from .models import Activity, Child, PracticeLog

COLUMNS: dict[str, tuple[str, ...]] = {
    "activities": (
        "id",
        "title",
        "instructions",
        "times_per_week",
        "link",
        "goal",
        "skills",
        "start_on",
        "end_on",
        "set_by",
        "set_as",
        "created_at",
        "updated_at",
    ),
    "practice_logs": (
        "id",
        "activity",
        "practised_on",
        "how",
        "comment",
        "logged_by",
        "logged_as",
        "logged_at",
        "withdrawn_at",
        "withdrawn_by",
    ),
}


def sections(child: Child) -> dict[str, list[dict]]:
    """The rows of each section, everything the team reads (the programme is the family's as much as the team's)."""
    activities = Activity.objects.for_child(child).prefetch_related("skills").order_by("id")
    logs = (
        PracticeLog.objects.for_child(child).select_related("withdrawn_by").order_by("practised_on", "logged_at", "id")
    )
    return {
        "activities": [
            {
                "id": activity.pk,
                "title": activity.title,
                "instructions": activity.instructions,
                "times_per_week": activity.times_per_week,
                "link": activity.link,
                "goal": activity.goal_id,
                "skills": ";".join(sorted(skill.slug for skill in activity.skills.all())),
                "start_on": activity.start_on,
                "end_on": activity.end_on,
                "set_by": activity.set_by_name,
                "set_as": activity.set_as,
                "created_at": activity.created_at,
                "updated_at": activity.updated_at,
            }
            for activity in activities
        ],
        "practice_logs": [
            {
                "id": log.pk,
                "activity": log.activity_id,
                "practised_on": log.practised_on,
                "how": log.how,
                "comment": log.comment,
                "logged_by": log.logged_by_name,
                "logged_as": log.logged_as,
                "logged_at": log.logged_at,
                "withdrawn_at": log.withdrawn_at,
                "withdrawn_by": log.withdrawn_by.name if log.withdrawn_by else "",
            }
            for log in logs
        ],
    }
