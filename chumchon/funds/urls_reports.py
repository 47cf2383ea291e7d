"""Routes: reports (to be written)."""

urlpatterns: list = []
