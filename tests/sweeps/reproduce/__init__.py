"""Tests of sweeps/reproduce/."""
