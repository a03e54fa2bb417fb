-- Names are unique (the plugin checks first; this is the last line of defence), and devices are
-- looked up by VM (also makes the ON DELETE CASCADE scan cheap).
CREATE UNIQUE INDEX vm_vm_name ON vm_vm(name);
CREATE INDEX vm_device_vm_id ON vm_device(vm_id);
