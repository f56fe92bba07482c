"""Deterministic demo data: the demo class 11A1 and a 40-class benchmark school (no Qt).

The generator is in ``desktop.demo.generator``; this package imports nothing by itself, so the
desktop's demo server (``desktop.demo.local_server``) loads without the generator.
"""
