"""Tests of sweeps/core/."""
