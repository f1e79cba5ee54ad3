from config.api.router import router
from dashboard.views import DashboardViewSet

router.register("dashboard", DashboardViewSet, basename="dashboard")
