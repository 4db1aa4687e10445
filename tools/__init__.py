"""Developer tools outside the app package: benchmark, synthetic data generator, test-server helper.

Not shipped in the Docker image; nothing in basewatch/ imports them.
"""
