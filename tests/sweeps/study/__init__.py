"""Tests of sweeps/study/."""
