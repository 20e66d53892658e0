windows_retention = 3
