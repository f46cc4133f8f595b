"""The catalog: the list of courses, a course's page, and its assets."""
