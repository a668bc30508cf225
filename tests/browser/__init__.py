"""Browser and built-site tests (a package, so its conftest and the one in tests/ are distinct modules)."""
