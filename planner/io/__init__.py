"""The input side: the workbook contract (schema), reading and validating a workbook into the
validated data the model reads (models/data.py), the blank template, and atomic file writes."""
