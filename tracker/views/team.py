"""A child's care team: members, invitations, leaving and removal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from config import ratelimit

from .. import audit, services
from ..forms import InvitationForm
from ..models import AuditAction, CareTeamMembership, Invitation, Role
from ..permissions import Action, child_for, may_invite, may_remove


def _invitable_roles(membership: CareTeamMembership) -> list[str]:
    return [role for role in Role.values if may_invite(membership, role)]


@login_required
def team(request: HttpRequest, child_id) -> HttpResponse:
    """The team page; members who may invite also get the invitation form here."""
    child = child_for(request.user, child_id, action=Action.VIEW)
    roles = _invitable_roles(child.membership)
    form = InvitationForm(request.POST or None, child=child, roles=roles) if roles else None
    retry = None  # seconds to wait, when the inviter has sent too many invitations
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Your role on this team cannot invite people.")
        if form.is_valid():
            retry = ratelimit.hit("invite", person=str(request.user.pk), address=ratelimit.client_address(request))
        if retry:
            form.add_error(None, ratelimit.message(retry))
        elif form.is_valid():
            link = services.invite(
                invitation=form.instance,
                by=request.user,
                accept_url_for=lambda token: request.build_absolute_uri(
                    reverse("tracker:invitation_accept", args=[token])
                ),
            )
            messages.success(request, link, extra_tags="invite-link")
            return redirect("tracker:team", child_id=child.public_id)
    else:
        audit.record(request.user, AuditAction.VIEWED, child, summary="Viewed the care team")
    context = {
        "child": child,
        "members": child.care_team.select_related("user").order_by("role", "joined_at"),
        "invitations": child.invitations.pending().select_related("invited_by") if roles else [],
        "form": form,
        "can_manage": Action.MANAGE_TEAM in child.allowed,
    }
    response = render(request, "tracker/team.html", context)
    return ratelimit.limited(response, retry) if retry else response


@login_required
@require_POST
def member_remove(request: HttpRequest, child_id, membership_id: int) -> HttpResponse:
    """Take a member off the team (or leave it, when the member is oneself)."""
    child = child_for(request.user, child_id, action=Action.VIEW)
    target = get_object_or_404(CareTeamMembership.objects.select_related("user"), pk=membership_id, child=child)
    if not may_remove(child.membership, target):
        raise PermissionDenied("Only a guardian can remove someone else from the team.")
    try:
        services.remove_member(membership=target, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("tracker:team", child_id=child.public_id)
    if target.user_id == request.user.pk:
        messages.success(request, f"You have left {child.given_name}'s care team.")
        return redirect("tracker:child_list")
    messages.success(request, f"{target.user.name} is no longer on the team.")
    return redirect("tracker:team", child_id=child.public_id)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, child_id, invitation_id: int) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.VIEW)
    invitation = get_object_or_404(Invitation.objects.pending(), pk=invitation_id, child=child)
    if not may_invite(child.membership, invitation.role):
        raise PermissionDenied("Your role cannot manage this invitation.")
    services.revoke_invitation(invitation=invitation, by=request.user)
    messages.success(request, f"The invitation to {invitation.email} is revoked; its link no longer works.")
    return redirect("tracker:team", child_id=child.public_id)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone holding the link sees who invited them; accepting needs the invited account."""
    invitation = Invitation.objects.with_token(token).select_related("child", "invited_by").first()
    if invitation is None:
        raise Http404("No such invitation.")
    context = {"invitation": invitation, "token": token, "error": None, "usable": invitation.is_usable}
    if not invitation.is_usable:
        # A spent link names nothing: not the child, not who sent it (issue 15, finding 6).
        context["error"] = (
            "This invitation has expired. Ask for a new one."
            if invitation.is_expired and invitation.accepted_at is None
            else "This invitation has already been used or was revoked. Ask for a new one if you still need it."
        )
        return render(request, "tracker/invitation_accept.html", context, status=410)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.accept_invitation(invitation=invitation, user=request.user)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            return render(request, "tracker/invitation_accept.html", context, status=400)
        messages.success(request, f"You are now on {membership.child.given_name}'s care team.")
        return redirect(membership.child)
    if request.user.is_authenticated and request.user.email.casefold() != invitation.email.casefold():
        context["error"] = (
            f"This invitation was sent to {invitation.email}, but you are logged in as "
            f"{request.user.email}. Log out and open the link again to accept it with the invited address."
        )
    elif request.user.is_authenticated and not request.user.email_verified:
        context["error"] = (
            f"Confirm your email address first: open the link we sent to {request.user.email}, "
            "then this invitation again."
        )
        context["resend"] = True
    return render(request, "tracker/invitation_accept.html", context)
