"""Suite-wide fixtures: the real NetBox test server and the fakepve Proxmox VE lab."""

pytest_plugins = ["tests.support.netbox_server", "tests.support.fakepve_lab", "tests.support.bad_answers"]
