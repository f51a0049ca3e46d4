"""Maps computed from training video that weight a loss or mask a frame (notebooks 02, 03).

- :mod:`vadcore.maps.attention` — ADL's human (ADL Eq. 1) and learned dynamic-image (ADL Eqs. 2–7)
  attention maps;
- :mod:`vadcore.maps.saliency` — SEUNet's saliency maps and Otsu masks;
- :mod:`vadcore.maps.foreground` — moving-object masks, to split errors into foreground and
  background (ADL Figs. 7, 9).

A family imports the maps it can use, so their code is part of its runs' code fingerprint
(:mod:`vadcore.methods.code`).
"""
