"""Organizations: ministries, agencies and NGOs, their staff, and who finished what."""
