"""Administration: the audit log of administrative and authoring actions."""
