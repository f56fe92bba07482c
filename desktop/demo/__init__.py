"""Deterministic demo data: the demo class 11A1 and a 40-class benchmark school (no Qt)."""

from desktop.demo.generator import (
    DEMO_TODAY,
    DemoSummary,
    generate_demo_class,
    generate_demo_school,
)

__all__ = ["DEMO_TODAY", "DemoSummary", "generate_demo_class", "generate_demo_school"]
