"""The warehouse side of the core: extract-load into the raw layer (``el``).

The raw layer's contract (tables, columns, types) is written at the top of ``meltano.yml``.
"""

from lana_core.warehouse.el import STREAMS, ELResult, extract_load, warehouse_dir

__all__ = ["STREAMS", "ELResult", "extract_load", "warehouse_dir"]
