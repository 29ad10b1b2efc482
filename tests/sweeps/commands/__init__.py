"""Tests of sweeps/commands/."""
