"""Tests of sweeps/results/."""
