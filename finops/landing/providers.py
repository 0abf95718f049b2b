"""The providers the loader reads, in the order it reads them: one module per provider, one line here.

A provider module holds everything particular to its exports and nothing else:

    SOURCE                      the folder under the landing folder (aws_cur/, azure/...)
    RAW_TABLE                   the raw table its rows land in (raw.<RAW_TABLE>, every column VARCHAR)
    SUFFIXES                    the data files it reads
    find_files(source_dir, landing) -> [LandingFile]
                                the files of its folder layout, current or superseded by a newer delivery
    is_read_metadata(path)      whether a non-data file is one it reads (a manifest), so it is not "not read"
    not_read_reason(path)       why one of its own non-data files is not read, and whether that warns
                                (None: the general reason, "not a billing data file")
    raw_columns()               the raw table's columns, before the lineage columns every raw table has
    select(loader, f)           (select list, relation, CSV settings) reading a file into those columns
    load_rows(loader, f, meta)  optional: a file it reads itself, (rows, rejected lines, note), else None

Adding a provider: a module with these names, listed below; the dbt side then stages raw.<RAW_TABLE>.
"""

from __future__ import annotations

from . import aws_cur, aws_cur2, azure, focus, gcp

PROVIDERS = {provider.SOURCE: provider for provider in (aws_cur, aws_cur2, focus, azure, gcp)}
SOURCES = tuple(PROVIDERS)
