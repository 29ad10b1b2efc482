"""Tests of sweeps/tracking/."""
