"""Pages of the reports app: each view parses input, calls one service or selector, and renders."""
