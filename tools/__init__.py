"""Development tools that are not part of the application: ``.dockerignore`` leaves ``tools/`` out of the
production image, and the settings install ``tools.bench`` only when it can be imported."""
