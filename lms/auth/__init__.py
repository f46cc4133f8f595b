"""Accounts: the login, registration and profile pages."""
