from django.core.wsgi import get_wsgi_application

from config.settings_module import select_settings_module

select_settings_module()
application = get_wsgi_application()
