"""Sneakernet sync: keys and enrolment, bundles, verify, import and merge."""
