from accounts.views import AuthViewSet, MeViewSet
from config.api.router import router

router.register("auth", AuthViewSet, basename="auth")
router.register("users", MeViewSet, basename="users")
