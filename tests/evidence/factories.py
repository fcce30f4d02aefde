import factory

from safework.evidence.models import Camera
from tests.factories import WorkAreaFactory


class CameraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Camera

    work_area = factory.SubFactory(WorkAreaFactory)
    name = factory.Sequence(lambda n: f"摄像头{n}")
    source = "/nonexistent/camera.mp4"
