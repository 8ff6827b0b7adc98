"""Import and export of registry data as XLSX and CSV with Chinese column headers."""
