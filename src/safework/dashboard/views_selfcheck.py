"""Pages of the monthly self-check, emergency plans and periodic reports (thin)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from safework.core.access import sites_visible
from safework.core.choices import Role
from safework.core.errors import NotAllowed, ValidationFailed
from safework.core.forms import add_service_errors
from safework.core.models import Site
from safework.core.views import actor_for, page

from . import services
from .choices import CheckItem
from .distribution import compliance_history
from .filters import DashboardFilter
from .forms import EmergencyPlanForm, RunForm, SignForm, SubscriptionForm
from .models import EmergencyPlan, PeriodReport, ReportSubscription, SelfCheckRun
from .pdf import selfcheck_pdf


def _require_manager(actor) -> None:
    if actor.role not in (Role.SAFETY_MANAGER, Role.VIEWER):
        raise NotAllowed(_("The monthly self-check is for the owner's safety managers."))


def _runs(actor):
    _require_manager(actor)
    return SelfCheckRun.objects.select_related("site")


@page
def selfchecks(request):
    actor = actor_for(request)
    runs = _runs(actor)
    form = RunForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.selfcheck_run(
                actor=actor, month=form.cleaned_data["month"], site=form.cleaned_data["site"]
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("The self-check was evaluated."))
            return redirect("dashboard:selfcheck", run.pk)
    return render(request, "dashboard/selfchecks.html", {"form": form, "runs": runs[:60]})


@page
@require_GET
def selfcheck(request, pk: int):
    run = get_object_or_404(_runs(actor_for(request)), pk=pk)
    items = [(CheckItem(i.number).label, i) for i in run.items.all()]
    context = {"run": run, "items": items, "sign_form": SignForm()}
    return render(request, "dashboard/selfcheck.html", context)


@page
@require_POST
def selfcheck_sign(request, pk: int):
    actor = actor_for(request)
    run = get_object_or_404(_runs(actor), pk=pk)
    form = SignForm(request.POST)
    form.is_valid()
    try:
        services.selfcheck_sign(actor=actor, run=run, note=form.cleaned_data.get("note", ""))
    except ValidationFailed as exc:
        for error in exc.errors.values():
            messages.error(request, str(error))
    else:
        messages.success(request, _("Signed off."))
    return redirect("dashboard:selfcheck", run.pk)


def _run_history(run):
    from datetime import timedelta

    from safework.core.actors import Actor

    last = (run.month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    f = DashboardFilter(
        actor=Actor.system(), date_from=run.month, date_to=last, site_id=run.site_id
    )
    return compliance_history(f)


@page
@require_GET
def selfcheck_pdf_view(request, pk: int):
    run = get_object_or_404(_runs(actor_for(request)), pk=pk)
    response = HttpResponse(selfcheck_pdf(run, _run_history(run)), content_type="application/pdf")
    name = f"selfcheck-{run.month:%Y%m}-{run.site.code if run.site else 'all'}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- emergency plans ----------------------------------------------------------------------------


@page
def plans(request):
    actor = actor_for(request)
    sites = sites_visible(Site.objects.filter(is_active=True), actor)
    found = {p.site_id: p for p in EmergencyPlan.objects.filter(site__in=sites)}
    initial = {}
    site_id = request.GET.get("site", "")
    if site_id.isdigit() and (plan := found.get(int(site_id))):
        initial = {"site": plan.site, **{f: getattr(plan, f) for f in services.PLAN_FIELDS}}
    form = EmergencyPlanForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.emergency_plan_save(actor=actor, **data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("dashboard:plans")
    rows = [(site, found.get(site.pk)) for site in sites.order_by("name")]
    return render(request, "dashboard/plans.html", {"form": form, "rows": rows})


# --- periodic reports -----------------------------------------------------------------------------


@page
def reports(request):
    actor = actor_for(request)
    _require_manager(actor)
    form = SubscriptionForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_subscription_add(actor=actor, **form.cleaned_data)
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("dashboard:reports")
    context = {
        "form": form,
        "subscriptions": ReportSubscription.objects.filter(is_active=True).select_related("site"),
        "reports": PeriodReport.objects.select_related("site").defer("pdf")[:50],
    }
    return render(request, "dashboard/reports.html", context)


@page
@require_POST
def subscription_remove(request, pk: int):
    actor = actor_for(request)
    subscription = get_object_or_404(ReportSubscription, pk=pk)
    services.report_subscription_remove(actor=actor, subscription=subscription)
    return redirect("dashboard:reports")


@page
@require_GET
def report_download(request, pk: int):
    _require_manager(actor_for(request))
    report = get_object_or_404(PeriodReport, pk=pk)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    name = f"report-{report.site.code}-{report.period}-{report.start:%Y%m}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
