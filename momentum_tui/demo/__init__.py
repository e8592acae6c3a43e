"""The demo profile: a real public dataset of trending videos, shipped inside the package."""
