from django.urls import path

from .views import children, team

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
    path("invitations/<str:token>/", team.invitation_accept, name="invitation_accept"),
]
