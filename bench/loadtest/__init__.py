"""Month-end load test: locust against gunicorn on a throwaway, seeded database (python -m bench.loadtest)."""
