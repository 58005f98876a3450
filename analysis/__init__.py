"""Analyses built on the optimizer core (no Streamlit/Plotly): basin maps and learning-rate sensitivity."""
