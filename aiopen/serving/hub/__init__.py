"""A JupyterHub for a workshop room on one machine (``make workshop``), and what a hub elsewhere
(Zero to JupyterHub, ``deploy/``) shares with it.

- ``settings``: the room's settings (ports, passwords, folders), saved once so a restart keeps them;
- ``config``: the JupyterHub configuration made from them (``jupyterhub_config.py`` loads it);
- ``homes``: what an installation shares with every learner (the model cache, the material)
  and the seeding of a home on first login, never overwriting a learner's work;
- ``processes``: every process the hub starts, found and stopped (a subreaper and ``/proc``);
- ``client``: a learner's visit through the hub's REST API and a kernel's websocket
  (the dry run, the ``hub`` test and the workshop benchmark use it);
- ``launcher``: start, print the URL and password, stop everything on Ctrl-C.
"""
