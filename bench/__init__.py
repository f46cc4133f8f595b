"""`make bench`: load, concurrency, crash, page-weight and data-at-scale measurements.

Every figure is a ratio or a count measured in the same run against a floor, printed beside
its target with PASS or FAIL; nothing here is a timed assertion of the test suite.
"""
