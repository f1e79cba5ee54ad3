from config.api.router import router
from integrations.views import GoogleIntegrationViewSet, WebhookViewSet

router.register("integrations", GoogleIntegrationViewSet, basename="integrations")
router.register("webhooks", WebhookViewSet, basename="webhooks")
