"""This directory is not a test directory of ours: its files are copied into the unpacked
bunq-sdk test suite by tests/emulator/test_sdk_suite.py, which runs them there."""

collect_ignore_glob = ["*.py"]
