"""Storage: models, engine, migrations, change capture, search, backup, services."""
