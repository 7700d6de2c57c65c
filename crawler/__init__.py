"""The Scrapy project that visits company websites: one job per module, as in Scrapy itself."""
