"""Tests of sweeps/infra/."""
