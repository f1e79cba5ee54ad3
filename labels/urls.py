from config.api.router import router
from labels.views import LabelViewSet

router.register("labels", LabelViewSet, basename="labels")
