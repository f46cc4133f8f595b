"""Learning: enrolment, lessons, progress and the learner's dashboard."""
