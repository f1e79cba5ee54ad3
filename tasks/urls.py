from config.api.router import UUID_REGEX, router
from tasks.views import ProjectTasksViewSet, TaskViewSet

router.register("tasks", TaskViewSet, basename="tasks")
router.register(
    rf"projects/(?P<project_id>{UUID_REGEX})/tasks", ProjectTasksViewSet, basename="project-tasks"
)
