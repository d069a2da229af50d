"""Views of a plan and of apply/history results: text, JSON and Markdown, all drawn from the model types."""
