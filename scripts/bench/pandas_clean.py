#!/usr/bin/python3
"""pandas_clean.py IN OUT: sp-clean's job done the way a pandas user would.

The benchmark's pandas peer. Debian's /usr/bin/python3 is named on purpose:
the pyenv python3 that comes first on PATH here has no pandas.
"""
import sys

import pandas as pd

src, dst = sys.argv[1:3]
# symbol and date as strings: the obvious thing, and it keeps pandas from
# guessing types for the two key columns.
df = pd.read_csv(src, dtype={"symbol": str, "date": str})
df["symbol"] = df["symbol"].str.upper()
df = df.drop_duplicates(subset=["symbol", "date"], keep="last")
df = df.sort_values(["symbol", "date"], kind="stable")
df.to_csv(dst, index=False)
