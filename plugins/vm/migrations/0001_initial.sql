-- VMs (one column per configuration field) and their devices.
CREATE TABLE vm_vm (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  vcpus INTEGER NOT NULL DEFAULT 1,
  cores INTEGER NOT NULL DEFAULT 1,
  threads INTEGER NOT NULL DEFAULT 1,
  cpu_mode TEXT NOT NULL DEFAULT 'CUSTOM',
  cpu_model TEXT,
  cpuset TEXT,
  nodeset TEXT,
  pin_vcpus INTEGER NOT NULL DEFAULT 0,
  enable_cpu_topology_extension INTEGER NOT NULL DEFAULT 0,
  memory INTEGER NOT NULL,
  min_memory INTEGER,
  hyperv_enlightenments INTEGER NOT NULL DEFAULT 0,
  bootloader TEXT NOT NULL DEFAULT 'UEFI',
  bootloader_ovmf TEXT DEFAULT 'OVMF_CODE.fd',
  enable_secure_boot INTEGER NOT NULL DEFAULT 0,
  trusted_platform_module INTEGER NOT NULL DEFAULT 0,
  autostart INTEGER NOT NULL DEFAULT 1,
  hide_from_msr INTEGER NOT NULL DEFAULT 0,
  ensure_display_device INTEGER NOT NULL DEFAULT 1,
  time TEXT NOT NULL DEFAULT 'LOCAL',
  shutdown_timeout INTEGER NOT NULL DEFAULT 90,
  arch_type TEXT,
  machine_type TEXT,
  command_line_args TEXT NOT NULL DEFAULT '',
  suspend_on_snapshot INTEGER NOT NULL DEFAULT 1,
  uuid TEXT
);

CREATE TABLE vm_device (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  vm_id INTEGER NOT NULL REFERENCES vm_vm(id) ON DELETE CASCADE,
  attributes TEXT NOT NULL,
  "order" INTEGER
);
