from chumchon.core.audit import set_request_ip


class AuditContextMiddleware:
    """Remembers the client's address for the audit rows written during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # the same client address django-axes uses (honours AXES_IPWARE_PROXY_COUNT)
        from axes.helpers import get_client_ip_address

        set_request_ip(get_client_ip_address(request) or request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            set_request_ip(None)


class ThaiFirstLocaleMiddleware:
    """Thai unless the user chose otherwise with the language switch (its cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many office PCs
    run an English Windows: Thai is the product's default, English a switch away.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        supported = {code for code, _name in settings.LANGUAGES}
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if not chosen and request.path_info.startswith("/api/"):
            # programs say what they want with Accept-Language (e.g. "en"); pages do not
            chosen = translation.get_language_from_request(request, check_path=False)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        with translation.override(language):  # restored afterwards: nothing leaks to the thread
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
