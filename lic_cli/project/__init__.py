"""Starting a project: `lic init` scans a folder's dataset files and proposes tasks.yaml."""
