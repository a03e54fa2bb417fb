-- zvols this server created for DISK devices: the only ones vm.delete and vm.device.delete may
-- destroy (a zvol an administrator attached stays theirs).
CREATE TABLE vm_owned_zvol (
  name TEXT PRIMARY KEY NOT NULL
);
