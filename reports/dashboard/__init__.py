"""The provincial dashboard: summary tables kept current, charts, drill-down, xlsx of every chart."""
