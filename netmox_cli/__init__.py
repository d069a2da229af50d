"""netmox: keep NetBox and Proxmox VE in agreement, plan first, then apply."""

__version__ = "0.1.0"
