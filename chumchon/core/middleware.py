from chumchon.core.audit import set_request_ip


class AuditContextMiddleware:
    """Remembers the client's address for the audit rows written during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        set_request_ip(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            set_request_ip(None)
