"""Quizzes: the quiz page, attempts, grading and review."""
