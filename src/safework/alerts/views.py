"""Pages: the outbox (list, filters, retry), channels per organization with a test
button, the warning rules, and one's own notifications. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safework.core.access import organizations_visible
from safework.core.choices import OrganizationKind, Role
from safework.core.errors import ValidationFailed
from safework.core.forms import add_service_errors
from safework.core.models import Organization
from safework.core.views import actor_for, page, paginate, post_action, render_list

from . import config, selectors, services
from .choices import Channel, State
from .delivery import deliver_now
from .forms import (
    ChannelForm,
    NotificationFilterForm,
    RulesForm,
    TestMessageForm,
    WarningFilterForm,
)
from .models import Notification

# -- outbox -------------------------------------------------------------------------------------


@page
def notification_list(request):
    actor = actor_for(request)
    form = NotificationFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.notification_list(actor=actor, **{k: v for k, v in filters.items() if v})
    context = {"form": form, "page_obj": paginate(request, qs), "State": State}
    return render_list(
        request,
        page_template="alerts/notification_list.html",
        fragment_template="alerts/_notification_results.html",
        context=context,
    )


@page
def notification_detail(request, pk: int):
    actor = actor_for(request)
    try:
        row = selectors.notification_get(actor=actor, pk=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    return render(request, "alerts/notification_detail.html", {"n": row})


@page
@require_POST
def notification_retry(request, pk: int):
    actor = actor_for(request)
    row = get_object_or_404(selectors.notification_list(actor=actor), pk=pk)
    return post_action(
        request,
        call=lambda: services.notification_retry(actor=actor, notification=row),
        done=reverse("alerts:detail", args=[pk]),
        message=_("The message will be sent again."),
    )


@page
@require_POST
def notification_retry_dead(request):
    actor = actor_for(request)
    ids = list(
        selectors.notification_list(actor=actor, state=State.DEAD).values_list("pk", flat=True)
    )
    count = services.notification_retry_dead(actor=actor, ids=ids)
    messages.success(request, _("%(count)d dead messages will be sent again.") % {"count": count})
    return redirect(reverse("alerts:list") + "?state=pending")


# -- channels -----------------------------------------------------------------------------------


def _may_manage_channels(actor) -> None:
    if not actor.can_write or actor.role not in (Role.SAFETY_MANAGER, Role.CONTRACTOR_ADMIN):
        raise PermissionDenied(_("Only safety managers and contractor admins configure channels."))


@page
def channel_list(request):
    actor = actor_for(request)
    _may_manage_channels(actor)
    rows = [(c, config.masked(c)) for c in selectors.channels_visible(actor)]
    return render(request, "alerts/channel_list.html", {"rows": rows, "channels": Channel.choices})


def _organizations(actor):
    return organizations_visible(Organization.objects.filter(is_active=True), actor)


def _channel_page(request, actor, *, channel: str, instance=None):
    editing = instance is not None
    managers = actor.sees_everything
    form = ChannelForm(
        request.POST or None,
        channel=channel,
        organizations=_organizations(actor) if managers and not editing else None,
        editing=editing,
        initial=_channel_initial(instance) if editing else None,
    )
    if request.method == "POST" and form.is_valid():
        org = instance.organization if editing else _chosen_org(actor, form)
        try:
            services.channel_save(
                actor=actor, channel=channel, organization=org, values=form.setting_values(),
                enabled=form.cleaned_data["enabled"], instance=instance,
            )  # fmt: skip
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("Saved."))
            return redirect("alerts:channels")
    context = {
        "form": form,
        "channel_label": Channel(channel).label,
        "object": instance,
        "test_form": TestMessageForm() if editing else None,
    }
    return render(request, "alerts/channel_form.html", context)


def _channel_initial(instance) -> dict:
    values = config.read(instance).model_dump()
    shown = {k: v for k, v in values.items() if k not in config.SECRET_FIELDS}
    return shown | {"enabled": instance.enabled}


def _chosen_org(actor, form):
    if actor.sees_everything:
        return form.cleaned_data.get("organization")
    return Organization.objects.get(pk=actor.organization_id)


@page
def channel_create(request, channel: str):
    actor = actor_for(request)
    _may_manage_channels(actor)
    if channel not in Channel.values:
        raise Http404
    return _channel_page(request, actor, channel=channel)


@page
def channel_edit(request, pk: int):
    actor = actor_for(request)
    _may_manage_channels(actor)
    row = get_object_or_404(selectors.channels_visible(actor), pk=pk)
    return _channel_page(request, actor, channel=row.channel, instance=row)


@page
@require_POST
def channel_test(request, pk: int):
    actor = actor_for(request)
    _may_manage_channels(actor)
    row = get_object_or_404(selectors.channels_visible(actor), pk=pk)
    form = TestMessageForm(request.POST)
    form.is_valid()
    try:
        sent = services.channel_test(
            actor=actor, channel_config=row, recipient=form.cleaned_data.get("recipient", "")
        )
    except ValidationFailed as exc:
        for error in exc.errors.values():
            messages.error(request, str(error))
        return redirect("alerts:channel_edit", pk=pk)
    sent = deliver_now(sent)
    services.channel_record_test(channel_config=row, notification=sent)
    if sent.state == State.SENT:
        messages.success(request, _("The test message was sent."))
    else:
        messages.error(
            request, _("The test message failed: %(error)s") % {"error": sent.last_error}
        )
    return redirect("alerts:channel_edit", pk=pk)


# -- rules --------------------------------------------------------------------------------------


@page
def rules_edit(request):
    actor = actor_for(request)
    if not actor.can_manage_catalogue_and_sites:
        raise PermissionDenied(_("Only safety managers change the warning rules."))
    owners = Organization.objects.filter(kind=OrganizationKind.OWNER, is_active=True)
    owner = owners.filter(pk=request.GET.get("organization") or 0).first() or owners.first()
    if owner is None:
        messages.error(request, _("Create the owner organization first."))
        return redirect("core:organization_list")
    form = RulesForm(
        request.POST or None, initial=RulesForm.initial_from(selectors.rules_for(owner.pk))
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_save(actor=actor, organization=owner, rules=form.rules())
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {"rules": None})
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("alerts:rules") + f"?organization={owner.pk}")
    return render(request, "alerts/rules.html", {"form": form, "owner": owner, "owners": owners})


# -- warnings -----------------------------------------------------------------------------------


@page
def warning_list(request):
    actor = actor_for(request)
    form = WarningFilterForm(request.GET)
    on = form.cleaned_data.get("date") if form.is_valid() else None
    qs = selectors.warning_list(actor=actor, on=on)
    return render(
        request, "alerts/warning_list.html", {"form": form, "page_obj": paginate(request, qs)}
    )


# -- inbox --------------------------------------------------------------------------------------


@page
def inbox(request):
    qs = selectors.inbox_list(user=request.user)
    return render(request, "alerts/inbox.html", {"page_obj": paginate(request, qs)})


@page
@require_POST
def inbox_read(request):
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    services.inbox_mark_read(user=request.user, ids=ids)
    return redirect("alerts:inbox")
