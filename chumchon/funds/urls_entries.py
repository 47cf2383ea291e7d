"""Routes: entries (to be written)."""

urlpatterns: list = []
