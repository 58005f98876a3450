"""A bare Streamlit app drawing the same three Plotly charts as the Playground's default view
(a 121 x 121 contour with five 150-step paths, a loss chart and a two-panel line chart) with one
slider, built the usual way with plotly.graph_objects. bench/playground.py compares reruns."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

shift = st.slider("shift", 0.0, 1.0, 0.0, 0.01)
rng = np.random.default_rng(0)
grid = np.linspace(-2, 2, 121)
z = np.log10(0.5 * (grid[None, :] ** 2 + 100 * grid[:, None] ** 2) + 1e-3)
paths = [np.cumsum(rng.normal(size=(151, 2)) * 0.02, 0) + shift for _ in range(5)]

contour = go.Figure(go.Contour(x=grid, y=grid, z=z, showscale=False))
for p in paths:
    contour.add_scatter(x=p[:, 0], y=p[:, 1], mode="lines+markers")
loss = go.Figure([go.Scatter(x=np.arange(151), y=np.exp(-(p[:, 0] ** 2)), mode="lines") for p in paths])
lr = go.Figure(
    [go.Scatter(x=np.arange(150), y=np.abs(p[1:, axis]) + 1e-3, mode="lines") for p in paths for axis in (0, 1)]
)
lr.update_yaxes(type="log")
for fig in (contour, loss, lr):
    st.plotly_chart(fig)
