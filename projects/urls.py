from config.api.router import router
from projects.views import ProjectViewSet

router.register("projects", ProjectViewSet, basename="projects")
