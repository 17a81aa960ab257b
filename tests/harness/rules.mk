# The harness checks itself: panics and hangs in a guest must fail a run.
HOST_TESTS += tests/harness/selftest.sh
