"""Operational drills run from the command line (python -m drills.<name>)."""
