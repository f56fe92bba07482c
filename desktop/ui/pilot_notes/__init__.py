"""The teacher's notes of problems with the pilot (Tools ▸ "Ghi nhận vướng mắc…")."""
