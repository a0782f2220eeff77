from django.urls import path

from .views import caseload, catch_up, charts, checklist, children, export, goals, notes, review, team, timeline

app_name = "tracker"

urlpatterns = [
    path("", children.home, name="home"),
    path("children/", children.child_list, name="child_list"),
    path("children/archived/", children.child_list, {"archived": True}, name="child_list_archived"),
    path("children/new/", children.child_create, name="child_create"),
    path("children/<uuid:child_id>/", children.child_detail, name="child_detail"),
    path("children/<uuid:child_id>/edit/", children.child_edit, name="child_edit"),
    path("children/<uuid:child_id>/archive/", children.child_archive, name="child_archive"),
    path("children/<uuid:child_id>/restore/", children.child_restore, name="child_restore"),
    path("children/<uuid:child_id>/delete/", children.child_delete, name="child_delete"),
    path("children/<uuid:child_id>/team/", team.team, name="team"),
    path("children/<uuid:child_id>/team/<int:membership_id>/remove/", team.member_remove, name="member_remove"),
    path(
        "children/<uuid:child_id>/team/invitations/<int:invitation_id>/revoke/",
        team.invitation_revoke,
        name="invitation_revoke",
    ),
    path("children/<uuid:child_id>/checklist/<slug:domain_slug>/", checklist.checklist, name="checklist"),
    path("children/<uuid:child_id>/skills/new/", checklist.custom_skill_create, name="custom_skill_create"),
    path("children/<uuid:child_id>/skills/<slug:skill_slug>/", checklist.skill_history, name="skill_history"),
    path("children/<uuid:child_id>/skills/<slug:skill_slug>/record/", checklist.record, name="record"),
    path("children/<uuid:child_id>/skills/<slug:skill_slug>/loss-reviewed/", checklist.loss_review, name="loss_review"),
    path("children/<uuid:child_id>/catch-up/<slug:domain_slug>/", catch_up.catch_up, name="catch_up"),
    path("children/<uuid:child_id>/observations/<int:observation_id>/correct/", checklist.correct, name="correct"),
    path("children/<uuid:child_id>/observations/<int:observation_id>/withdraw/", checklist.withdraw, name="withdraw"),
    # Notes, timeline and audit log
    path("children/<uuid:child_id>/notes/", notes.note_list, name="note_list"),
    path("children/<uuid:child_id>/notes/new/", notes.note_create, name="note_create"),
    path("children/<uuid:child_id>/notes/<int:note_id>/", notes.note_detail, name="note_detail"),
    path("children/<uuid:child_id>/notes/<int:note_id>/edit/", notes.note_edit, name="note_edit"),
    path("children/<uuid:child_id>/notes/<int:note_id>/withdraw/", notes.note_withdraw, name="note_withdraw"),
    path("children/<uuid:child_id>/timeline/", timeline.timeline, name="timeline"),
    path("children/<uuid:child_id>/audit/", timeline.audit_log, name="audit_log"),
    # The family's data export (GDPR articles 15 and 20)
    path("children/<uuid:child_id>/export.json", export.export_json, name="export_json"),
    path("children/<uuid:child_id>/export.zip", export.export_zip, name="export_zip"),
    path("changes/", timeline.changes, name="changes"),
    path("changes/seen/", timeline.changes_seen, name="changes_seen"),
    # Goals and charts
    path("children/<uuid:child_id>/goals/", goals.goal_list, name="goal_list"),
    path("children/<uuid:child_id>/goals/new/", goals.goal_create, name="goal_create"),
    path("children/<uuid:child_id>/goals/<int:goal_id>/", goals.goal_detail, name="goal_detail"),
    path("children/<uuid:child_id>/goals/<int:goal_id>/edit/", goals.goal_edit, name="goal_edit"),
    path("children/<uuid:child_id>/goals/<int:goal_id>/review/", goals.goal_review, name="goal_review"),
    path("children/<uuid:child_id>/progress-review/", review.progress_review, name="progress_review"),
    path(
        "children/<uuid:child_id>/charts/milestones/<slug:domain_slug>.<str:fmt>",
        charts.milestones_chart,
        name="chart_milestones",
    ),
    path(
        "children/<uuid:child_id>/charts/progress/<slug:domain_slug>.<str:fmt>",
        charts.progress_chart,
        name="chart_progress",
    ),
    path("children/<uuid:child_id>/charts/skills/<slug:skill_slug>.<str:fmt>", charts.skill_chart, name="chart_skill"),
    path("children/<uuid:child_id>/charts/goals.<str:fmt>", charts.goals_chart, name="chart_goals"),
    path("caseload/", caseload.caseload, name="caseload"),
    path("invitations/<str:token>/", team.invitation_accept, name="invitation_accept"),
]
