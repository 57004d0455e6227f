"""medialake's shared core: the typed settings, the JSON-lines logs and the table catalogue, imported by jobs/ and service/."""
