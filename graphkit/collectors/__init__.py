"""Live collectors: the only code that does network I/O. Each yields the same observation
records a file parser would, so a run can be loaded straight away or saved and reloaded."""
