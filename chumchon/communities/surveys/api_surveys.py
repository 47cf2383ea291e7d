"""REST endpoints of the household survey (api_surveys), on the registry router."""
