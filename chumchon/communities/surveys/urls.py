"""Routes of the household survey (urls)."""

urlpatterns: list = []
