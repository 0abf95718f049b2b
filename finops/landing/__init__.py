"""The landing folder to the warehouse's raw tables.

providers.py lists the providers; each provider module (aws_cur, aws_cur2, focus, azure, gcp) holds
its folder layout, column set and reading. The shared machinery iterates over that list:
discovery.py finds the files that count, loading.py reads them into raw tables, line_recovery.py
handles the lines DuckDB's reader rejects; files.py and reading.py hold what the providers share.
"""
