import factory

from accounts.tests.factories import UserFactory
from projects.models import Project


class ProjectFactory(factory.django.DjangoModelFactory[Project]):
    class Meta:
        model = Project

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
