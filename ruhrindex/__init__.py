"""ruhrindex: how digital are the companies of each municipality, measured from their websites."""

__version__ = "0.1.0"
