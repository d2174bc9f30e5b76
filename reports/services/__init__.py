"""Services of the reports app. Import the modules: ``from reports.services import rounds``."""
