"""Tests of sweeps/report/."""
