import factory
from django.contrib.auth import get_user_model

from institutions import services as institution_services
from institutions.models import Institution, Membership, Province


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    first_name = "ทดสอบ"
    last_name = factory.Sequence(lambda n: f"ผู้ใช้{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-1234-word")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(n % 89) + 10:02d}")
    slug = factory.Sequence(lambda n: f"province-{n}")
    name_th = factory.Sequence(lambda n: f"จังหวัดทดสอบ{n}")
    name_en = factory.Sequence(lambda n: f"Test Province {n}")
    centre_active = True


class InstitutionFactory(factory.django.DjangoModelFactory):
    """Goes through the service so the tree path is maintained exactly as in production."""

    class Meta:
        model = Institution

    code = factory.Sequence(lambda n: f"T-{n:05d}")
    name_th = factory.Sequence(lambda n: f"โรงเรียนทดสอบ{n}")
    name_en = factory.Sequence(lambda n: f"Test School {n}")
    kind = Institution.Kind.SCHOOL
    affiliation = Institution.Affiliation.OBEC
    province = factory.SubFactory(ProvinceFactory)
    district = "เมือง"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return institution_services.institution_create(actor=None, **kwargs)


def grant(user, institution, role):
    return institution_services.membership_add(
        actor=None, institution=institution, user=user, role=role
    )


Role = Membership.Role
