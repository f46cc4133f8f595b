"""The bench's steps, in the order `python -m bench` runs them."""
