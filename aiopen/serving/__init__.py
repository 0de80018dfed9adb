"""The serving layer: the Jupyter/RISE launcher, the Voila site and its room, the static
exports, the browser launch and the Jupyter assets. It may import every layer below it;
nothing imports it."""
