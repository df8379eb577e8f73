"""Interfaces: the CLI and charts. Only this layer prints, reads argv or writes files."""
