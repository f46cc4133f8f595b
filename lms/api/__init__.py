"""The JSON API v1: the same services as the pages, in the contract's shapes."""
