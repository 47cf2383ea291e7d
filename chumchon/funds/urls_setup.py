"""Routes: setup (to be written)."""

urlpatterns: list = []
