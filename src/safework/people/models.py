from django.db import models
from django.utils.translation import gettext_lazy as _

from safework.core import crypto
from safework.core.models import Organization, Site, TimeStamped

from .choices import EmploymentState, Sex


class Person(TimeStamped):
    name = models.CharField(_("name"), max_length=100, db_index=True)
    # PIPL: the ID number is stored encrypted; ``id_number_hash`` is a keyed blind index for
    # exact lookup and uniqueness; ``id_number_masked`` is what most roles see.
    id_number_encrypted = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, db_index=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="people",
    )
    sites = models.ManyToManyField(Site, verbose_name=_("sites"), blank=True, related_name="people")
    employment_state = models.CharField(
        _("employment state"),
        max_length=16,
        choices=EmploymentState.choices,
        default=EmploymentState.ACTIVE,
        db_index=True,
    )
    state_reason = models.CharField(_("reason"), max_length=300, blank=True)
    special_operations = models.ManyToManyField(
        "certificates.CertificateType",
        verbose_name=_("special operations"),
        blank=True,
        related_name="workers",
        help_text=_("The operation items this person is employed to perform."),
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    # Storage name of the face photo, re-encoded on intake (safework.core.uploads); served
    # only through a scoped view, never as a public media URL.
    photo = models.CharField(_("photo"), max_length=200, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["organization", "employment_state"]),
            # "of the employed people" as an index-only join (the dashboard's 待复训, issue 10)
            models.Index(
                fields=["id"],
                condition=models.Q(employment_state=EmploymentState.ACTIVE),
                name="person_employed",
            ),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name

    def full_id_number(self) -> str:
        """Decrypt. Callers must go through ``person_reveal_id_number`` so the view is audited."""
        return crypto.decrypt(self.id_number_encrypted)

    @property
    def is_active(self) -> bool:
        return self.employment_state == EmploymentState.ACTIVE
