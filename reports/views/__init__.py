"""Views of the reports app: rounds and agency parts (rounds), generated reports (documents)."""
