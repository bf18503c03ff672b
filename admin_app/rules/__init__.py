"""The handbooks' rules as plain, tested functions (money in Decimal, never float)."""
