"""Routes of the household survey (urls_rounds)."""

urlpatterns: list = []
