"""Packaging beyond pyproject.toml: the repository's top-level migrations/ folder ships in
the wheel as bot/migrations, where `p2p-bot migrate` finds it from any working directory."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["bot", "bot.*"]),
        "bot.migrations",
        "bot.migrations.versions",
    ],
    package_dir={"bot.migrations": "migrations"},
)
