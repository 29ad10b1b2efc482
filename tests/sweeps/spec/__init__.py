"""Tests of sweeps/spec/."""
