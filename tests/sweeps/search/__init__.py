"""Tests of sweeps/search/."""
