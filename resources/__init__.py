"""Bundled resources (fonts, icons, translations), found with importlib.resources."""
