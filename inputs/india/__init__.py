"""The India 2040 case builder: cited CSVs in `inputs/data/` in, `inputs/india_2040.xlsx` out.

One module per part of the workbook; `inputs/build_india_2040.py` runs them in order. Every
figure is read from a CSV with a source column; the modules only read, derive and write.
"""
