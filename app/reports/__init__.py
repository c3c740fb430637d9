"""The printable HTML report of an assessment: its view, its radar chart and its template."""
