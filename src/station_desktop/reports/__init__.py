"""Printed booklets and reports (reportlab), xlsx import and export."""
