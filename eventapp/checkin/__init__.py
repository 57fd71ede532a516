"""Check-in (受付) at the door: points, paired devices, scans and who is inside."""
