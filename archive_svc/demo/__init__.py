"""The demo and its synthetic data: what ``archive-svc demo`` and ``seed`` compose.

``launch`` runs the laptop demo (migrate, seed, sign-ins, serve), ``simulation`` plays
a scanner station's morning through a real gateway, ``seeding`` creates realistic
holdings through the use cases. None of it is a use case of the archive itself.
"""
