from config.api.router import router
from notifications.views import NotificationViewSet

router.register("notifications", NotificationViewSet, basename="notifications")
