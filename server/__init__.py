"""The reference central server for Homeroom's sync API."""
