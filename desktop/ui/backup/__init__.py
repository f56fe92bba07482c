"""Tools ▸ "Sao lưu ngay…" and "Khôi phục…", and the automatic backups of the window."""
