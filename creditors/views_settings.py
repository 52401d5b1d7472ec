"""A creditor's settings in the portal (issue 15): its users and invitations, its company
details and, for owners, the log of CPR/CVR reveals. Beside the API keys (views_api_keys.py).

As there, permission comes from the request's creditor and the user's role in it: owners and
administrators open the settings (members and viewers get 403), the CPR-reveal log is for
owners only, and a membership or invitation of another creditor is a 404. The services
(creditors/services.py) check the same rules again, with the role rules between owners and
administrators, so a forged POST is refused even if a page showed a button it should not.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from debtors.models import NationalIdReveal

from .models import Creditor, CreditorEvent, Invitation, Membership, Role
from .selectors import membership_for
from .services import (
    CREDITOR_DETAIL_FIELDS,
    InvitationError,
    MembershipError,
    creditor_details_update,
    invitation_accept_existing_user,
    invitation_accept_new_user,
    invitation_existing_user,
    invitation_from_token,
    invitation_revoke,
    membership_invite,
    membership_remove,
    membership_role_change,
)
from .views_api_keys import creditor_manager_view


def creditor_owner_view(view):
    """Owners of the request's creditor only; anyone else gets a 403 page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        creditor = getattr(request, "creditor", None)
        if creditor is None:
            return render(request, "portal/no_creditor.html", status=403)
        membership = membership_for(request.user, creditor)
        if membership is None or membership.role != Role.OWNER:
            return render(request, "creditors/not_owner.html", status=403)
        request.membership = membership
        return view(request, *args, **kwargs)

    return wrapper


def _membership(request) -> Membership:
    return membership_for(request.user, request.creditor)


@require_safe
@creditor_manager_view
def settings_index(request):
    return render(request, "creditors/settings.html", {"membership": _membership(request)})


# --- Users and invitations -----------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=254)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.MEMBER)


def _roles_for(acting: Membership) -> list[tuple[str, str]]:
    """The roles the acting user may give: owners any, administrators all but owner."""
    if acting.role == Role.OWNER:
        return list(Role.choices)
    return [(value, label) for value, label in Role.choices if value != Role.OWNER]


def _users_page(request, form: InviteForm | None = None, status: int = 200):
    acting = _membership(request)
    form = form or InviteForm()
    form.fields["role"].choices = _roles_for(acting)
    members = (
        Membership.objects.filter(creditor=request.creditor)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email", "pk")
    )
    invitations = Invitation.objects.filter(
        creditor=request.creditor, accepted_at=None, revoked_at=None
    ).select_related("invited_by")
    events = CreditorEvent.objects.filter(creditor=request.creditor).select_related(
        "actor", "subject_user"
    )[:20]
    return render(
        request,
        "creditors/users.html",
        {
            "acting": acting,
            "members": members,
            "invitations": invitations,
            "events": events,
            "form": form,
            "roles": _roles_for(acting),
        },
        status=status,
    )


@creditor_manager_view
def users(request):
    if request.method != "POST":
        return _users_page(request)
    form = InviteForm(request.POST)
    form.fields["role"].choices = _roles_for(_membership(request))
    if not form.is_valid():
        return _users_page(request, form, status=400)
    try:
        invitation = membership_invite(
            creditor=request.creditor,
            actor=request.user,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            base_url=request.build_absolute_uri("/"),
        )
    except MembershipError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _users_page(request, form, status=400)
    messages.success(
        request, _("An invitation is on its way to %(email)s.") % {"email": invitation.email}
    )
    return redirect("settings_users")


def _member_or_404(request) -> Membership:
    # Membership is not behind a tenant scope; the creditor filter keeps another creditor's
    # memberships out of reach (a 404).
    try:
        pk = int(request.POST.get("membership", ""))
    except ValueError as exc:
        raise Http404 from exc
    return get_object_or_404(
        Membership.objects.select_related("user", "creditor"), pk=pk, creditor=request.creditor
    )


def _refused(request, exc: MembershipError):
    messages.error(request, exc.message)
    return redirect("settings_users")


@require_POST
@creditor_manager_view
def user_role(request):
    membership = _member_or_404(request)
    role = request.POST.get("role", "")
    try:
        membership_role_change(actor=request.user, membership=membership, role=role)
    except MembershipError as exc:
        return _refused(request, exc)
    messages.success(
        request,
        _("%(user)s is now %(role)s.")
        % {"user": _display(membership.user), "role": Role(role).label.lower()},
    )
    return redirect("settings_users")


@require_POST
@creditor_manager_view
def user_remove(request):
    membership = _member_or_404(request)
    try:
        membership_remove(actor=request.user, membership=membership)
    except MembershipError as exc:
        return _refused(request, exc)
    messages.success(
        request,
        _("%(user)s no longer has access to %(creditor)s.")
        % {"user": _display(membership.user), "creditor": request.creditor.name},
    )
    if membership.user_id == request.user.pk:
        return redirect("home")
    return redirect("settings_users")


@require_POST
@creditor_manager_view
def invitation_revoke_view(request):
    try:
        pk = int(request.POST.get("invitation", ""))
    except ValueError as exc:
        raise Http404 from exc
    invitation = get_object_or_404(Invitation, pk=pk, creditor=request.creditor)
    try:
        invitation_revoke(actor=request.user, invitation=invitation)
    except MembershipError as exc:
        return _refused(request, exc)
    messages.success(
        request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
    )
    return redirect("settings_users")


def _display(user) -> str:
    return user.get_full_name() or user.email or user.get_username()


# --- Accepting an invitation (the invitee: no creditor yet, maybe no account) --------------


class AcceptNewUserForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    password1 = forms.CharField(
        label=gettext_lazy("Password"), strip=False, widget=forms.PasswordInput
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"), strip=False, widget=forms.PasswordInput
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") != data.get("password1"):
            self.add_error("password2", _("The two passwords differ."))
        return data


@never_cache  # the address carries the token
def invitation_accept(request, token: str):
    """The link in the invitation mail. An address with no account sets a name and password
    here (and is signed in); an existing user signs in and accepts."""
    try:
        invitation = invitation_from_token(token)
    except InvitationError as exc:
        return render(request, "creditors/invitation_invalid.html", {"error": exc}, status=400)
    existing = invitation_existing_user(invitation)
    context = {"invitation": invitation, "existing": existing}
    if existing is not None:
        signed_in_as_invitee = request.user.is_authenticated and request.user.pk == existing.pk
        context["signed_in_as_invitee"] = signed_in_as_invitee
        if request.method == "POST":
            if not request.user.is_authenticated:
                return redirect(f"{reverse('login')}?next={request.path}")
            try:
                invitation_accept_existing_user(token=token, user=request.user)
            except InvitationError as exc:
                context["error"] = exc
                return render(request, "creditors/invitation_accept.html", context, status=400)
            return _accepted(request, invitation)
        return render(request, "creditors/invitation_accept.html", context)
    form = AcceptNewUserForm(request.POST or None)
    context["form"] = form
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "creditors/invitation_accept.html", context, status=400)
        try:
            membership = invitation_accept_new_user(
                token=token,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except MembershipError as exc:
            form.add_error("password1" if exc.field == "password" else None, exc.message)
            return render(request, "creditors/invitation_accept.html", context, status=400)
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        return _accepted(request, invitation)
    return render(request, "creditors/invitation_accept.html", context)


def _accepted(request, invitation: Invitation):
    from .services import creditor_select

    creditor_select(user=request.user, session=request.session, creditor_id=invitation.creditor_id)
    messages.success(
        request,
        _("Welcome to %(creditor)s: you are %(role)s.")
        % {"creditor": invitation.creditor.name, "role": invitation.get_role_display().lower()},
    )
    return redirect("home")


# --- Company details -----------------------------------------------------------------------


class CompanyForm(forms.ModelForm):
    logo_file = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        help_text=gettext_lazy("PNG, JPEG or SVG, at most 1 MB. It is printed on your letters."),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)

    class Meta:
        model = Creditor
        fields = ["cvr", *CREDITOR_DETAIL_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.cvr:
            # The CVR number is the creditor's identity once set: shown, not edited.
            del self.fields["cvr"]
        for name in ("iban", "bic", "bank_reg_number", "bank_account_number"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["fik_creditor_number"].widget.attrs["inputmode"] = "numeric"


def _company_page(request, form, status=200):
    return render(
        request,
        "creditors/company.html",
        {"form": form, "creditor": Creditor.objects.get(pk=request.creditor.pk)},
        status=status,
    )


@creditor_manager_view
def company(request):
    # A fresh row for the form: a ModelForm writes the input onto its instance while it
    # validates, and the request's creditor must stay as it is stored.
    instance = Creditor.objects.get(pk=request.creditor.pk)
    if request.method != "POST":
        return _company_page(request, CompanyForm(instance=instance))
    form = CompanyForm(request.POST, request.FILES, instance=instance)
    if not form.is_valid():
        return _company_page(request, form, status=400)
    values = {f: form.cleaned_data[f] for f in form.Meta.fields if f in form.fields}
    try:
        creditor_details_update(
            actor=request.user,
            creditor=request.creditor,
            values=values,
            logo=form.cleaned_data.get("logo_file"),
            remove_logo=form.cleaned_data.get("remove_logo", False),
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            target = "logo_file" if field == "logo" else field
            form.add_error(target if target in form.fields else None, errors)
        return _company_page(request, form, status=400)
    messages.success(request, _("The company details are saved."))
    return redirect("settings_company")


# --- The CPR-reveal log (owners) -----------------------------------------------------------


@require_safe
@creditor_owner_view
def cpr_reveals(request):
    # NationalIdReveal is tenant data: the request's creditor scope (middleware) holds it to
    # this creditor's reveals.
    reveals = NationalIdReveal.objects.select_related("debtor", "user", "api_key").order_by(
        "-revealed_at", "-pk"
    )
    page = Paginator(reveals, 50).get_page(request.GET.get("page"))
    return render(request, "creditors/cpr_reveals.html", {"page": page})
