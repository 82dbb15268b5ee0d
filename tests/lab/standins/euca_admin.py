#!/usr/bin/env python3
"""LAB STAND-IN (placeholder, filled in by the next commits)."""
