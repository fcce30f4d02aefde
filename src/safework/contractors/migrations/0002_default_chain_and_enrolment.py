"""The default admission approval chain (the owner's safety managers; owners add steps
such as 分包安全员 → 总包安全员 → 监理 on the chains page), and an admission row for every
existing person of a contractor (subject to admission only once a checklist exists)."""

from django.db import migrations

CONTRACTOR_KINDS = ("contractor", "subcontractor", "general_contractor")


def forwards(apps, schema_editor):
    ChainTemplate = apps.get_model("approvals", "ChainTemplate")
    StepTemplate = apps.get_model("approvals", "StepTemplate")
    PartyTemplate = apps.get_model("approvals", "PartyTemplate")
    chain, created = ChainTemplate.objects.get_or_create(
        code="contractor-admission",
        defaults={"name": "承包商人员进场准入", "subject_kind": "contractors.admission"},
    )
    if created:
        step = StepTemplate.objects.create(chain=chain, order=1, name="业主安全主管审批", mode="all")
        PartyTemplate.objects.create(step=step, label="业主安全主管", role="safety_manager")
    Person = apps.get_model("people", "Person")
    ContractorWorker = apps.get_model("contractors", "ContractorWorker")
    have = set(ContractorWorker.objects.values_list("person_id", flat=True))
    people = Person.objects.filter(organization__kind__in=CONTRACTOR_KINDS).values_list("pk", flat=True)
    ContractorWorker.objects.bulk_create(
        [ContractorWorker(person_id=pk) for pk in people if pk not in have], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contractors", "0001_initial"),
        ("approvals", "0001_initial"),
        ("people", "0002_photo"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
