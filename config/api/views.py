"""JSON answers for errors raised outside DRF views (unknown paths, Django's 400/500)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.exceptions import error_body
from config.http_limits import payload_too_large


# Exempt like every DRF view: a JWT API has no CSRF token, and without it a POST/PUT/PATCH/
# DELETE to an unknown API path (or a malformed id) got Django's HTML CSRF page (403) instead
# of this 404.
@csrf_exempt
def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", "Not found."), status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        # Django's own limit on what it reads into memory (a form's fields, request.body): the
        # same 413 as the body-size middleware's (SPEC §2), not a 400.
        return payload_too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    # SPEC §2: every 400 carries code validation_error (here: a bad Host header, too many form
    # fields, and the like).
    return JsonResponse(error_body("validation_error", "Bad request."), status=400)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("server_error", "Internal server error."), status=500)
