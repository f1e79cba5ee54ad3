from checklists.views import ChecklistViewSet
from config.api.router import UUID_REGEX, router

router.register(rf"tasks/(?P<task_id>{UUID_REGEX})/checklist", ChecklistViewSet, basename="task-checklist")
