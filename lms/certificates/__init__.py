"""Certificates: the public verification page and the PDF download."""
