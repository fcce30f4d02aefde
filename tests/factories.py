"""factory-boy factories shared by the suite (STYLE.md 9)."""

from datetime import date, timedelta

import factory

from safework.core import crypto
from safework.core.choices import OrganizationKind
from safework.core.idnumbers import id_check_char, mask_id_number
from safework.core.models import Organization, Site, WorkArea


def make_id_number(seq: int, birth: date = date(1985, 6, 15), male: bool = True) -> str:
    """A valid 18-digit ID number, unique per ``seq`` (area code 110101)."""
    serial = (seq % 500) * 2 + (1 if male else 0)
    area = 110101 + seq // 500
    first17 = f"{area:06d}{birth:%Y%m%d}{serial:03d}"
    return first17 + id_check_char(first17)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = OrganizationKind.CONTRACTOR


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"厂区{n}")
    code = factory.Sequence(lambda n: f"site-{n}")
    owner = factory.SubFactory(OrganizationFactory, kind=OrganizationKind.OWNER)


class WorkAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkArea

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"区域{n}")
    code = factory.Sequence(lambda n: f"area-{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    """Writes the model directly (fast); service behaviour is tested through services."""

    class Meta:
        model = "people.Person"
        exclude = ("id_number",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"工人{n}")
    # Far from the small numbers tests spell out themselves (make_id_number(101), literal
    # 110101… numbers): a long run's sequence must never reach one of them.
    id_number = factory.Sequence(lambda n: make_id_number(1_000_000 + n))
    id_number_encrypted = factory.LazyAttribute(lambda o: crypto.encrypt(o.id_number))
    id_number_hash = factory.LazyAttribute(lambda o: crypto.blind_index(o.id_number))
    id_number_masked = factory.LazyAttribute(lambda o: mask_id_number(o.id_number))
    birth_date = date(1985, 6, 15)
    sex = "M"
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    organization = factory.SubFactory(OrganizationFactory)

    @factory.post_generation
    def special_operations(self, create, extracted, **kwargs):
        if create and extracted:
            from safework.certificates.models import CertificateType

            self.special_operations.set(
                [
                    CertificateType.objects.get(code=c) if isinstance(c, str) else c
                    for c in extracted
                ]
            )

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        if create and extracted:
            self.sites.set(extracted)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "certificates.Certificate"

    person = factory.SubFactory(PersonFactory)
    type = factory.LazyFunction(
        lambda: __import__(
            "safework.certificates.models", fromlist=["CertificateType"]
        ).CertificateType.objects.get(code="MEM-2.1")
    )
    number = factory.Sequence(lambda n: f"LEGACY-{n:06d}")
    number_hash = factory.LazyAttribute(
        lambda o: __import__("safework.certificates.numbers", fromlist=["number_hash"]).number_hash(
            o.number
        )
    )
    issued_by = "北京市应急管理局"
    first_issued_on = factory.LazyFunction(lambda: date.today() - timedelta(days=400))
    valid_from = factory.LazyFunction(lambda: date.today() - timedelta(days=400))
    valid_until = factory.LazyFunction(lambda: date.today() + timedelta(days=1500))
    next_review_due = factory.LazyFunction(lambda: date.today() + timedelta(days=700))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Store the number as the service does: an ID-bearing number masked + hashed."""
        from safework.certificates.numbers import protect

        stored = protect(kwargs["number"], kwargs["person"].full_id_number())
        kwargs.update(
            number=stored.number,
            number_hash=stored.number_hash,
            number_is_id_number=stored.is_id_number,
        )
        return super()._create(model_class, *args, **kwargs)
