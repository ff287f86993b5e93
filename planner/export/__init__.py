"""Writers: the plan workbook (and reading one back), sweep, frontier and stress workbooks."""
