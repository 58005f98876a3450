"""Playground page (first version): RMSProp beside SGD on Rosenbrock."""

import streamlit as st

import landscapes
import optim
from viz.minimal import contour_with_paths

surface = landscapes.get("rosenbrock")
runs = optim.run_many([("sgd", {"lr": 1e-3}), ("rmsprop", {"lr": 1e-2})], surface, steps=500)
st.title("RMSProp Playground")
st.plotly_chart(contour_with_paths(surface, {r.optimizer: r.xy for r in runs}))
