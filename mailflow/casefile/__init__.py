"""The case file for the office's records system (issue 21).

Each campaign is a case (sprawa) whose mark is built from the JRWA class and the year
(``OS.0543.3.2027``); every message in and out and every document is an item of it.

- ``items``: the items of a case, read from the database and the archive (read-only);
- ``nes``: the NES 2.0 metadata of each item, validated against ``schema/nes-2.0.xsd``
  (reconstructed from the published element list, not the official file);
- ``register``: the case list entry and the case record (spis spraw, metryka sprawy);
- ``bip``: the publication with the BIP metryczka and the change-register entry;
- ``export``: ``mailflow export-case YEAR DIR``, the package a records system imports;
- ``retention``: ``mailflow retention``, what may be disposed of and when, and the disposal a
  person confirms.
"""
