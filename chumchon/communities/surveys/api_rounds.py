"""REST endpoints of the household survey (api_rounds), on the registry router."""
