"""`homegen import`: adopt a hand-written ArgoCD tree into services.toml.

A pure stage: the tree's documents in, services.toml text and a report out
(``import_tree``); only ``homegen.commands.importer`` touches the disk.
"""
