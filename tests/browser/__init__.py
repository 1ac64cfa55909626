"""Browser tests: the course notebooks in a real JupyterLab, driven through headless Chromium."""
