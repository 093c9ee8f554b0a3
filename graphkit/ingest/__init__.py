"""Loading: the parse context, the load pipeline, the normaliser, the writer, and the sink that
collectors write to."""

# Here rather than in writer.py, so that the command line can show it without loading pyarrow.
DEFAULT_BATCH = 100_000  # records and nodes per store write: LadybugDB's COPY is faster than at 50k
