"""anpai (安排): township campaigns to investigate and rectify major accident hazards."""

__version__ = "0.1.0"
