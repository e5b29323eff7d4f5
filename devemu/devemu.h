/*
 * devemu/devemu.h - the device-emulation framework: emulators register an
 * ops table and are matched by the `compatible` strings of a guest's virtual
 * regions; one instance (struct vmm_emudev) per region. The VMX exit
 * handlers route I/O-port and MMIO accesses here.
 */
#ifndef DEVEMU_DEVEMU_H
#define DEVEMU_DEVEMU_H

#include "kernel/types.h"

struct vmm_guest;
struct vmm_region;
struct vmm_emudev;

struct vmm_emulator {
	const char *name;
	const char *const *compatible;	/* NULL-terminated */
	int (*probe)(struct vmm_emudev *edev);
	int (*reset)(struct vmm_emudev *edev);
	void (*remove)(struct vmm_emudev *edev);
	/* offset within the region; width 1, 2, 4 or 8 bytes */
	int (*read)(struct vmm_emudev *edev, u64 offset, u32 width, u64 *value);
	int (*write)(struct vmm_emudev *edev, u64 offset, u32 width, u64 value);
};

struct vmm_emudev {
	struct vmm_guest *guest;
	struct vmm_region *region;
	const struct vmm_emulator *emu;
	void *priv;
};

/* Instantiate the emulators of a guest's virtual regions. */
int vmm_devemu_guest_init(struct vmm_guest *guest);
int vmm_devemu_guest_reset(struct vmm_guest *guest);
/*
 * Accesses from the guest. Unassigned ports and addresses read as all-ones
 * and ignore writes (reported once per port); the return value is an error
 * only when the guest must be stopped.
 */
int vmm_devemu_io_read(struct vmm_guest *guest, u16 port, u32 width, u32 *value);
int vmm_devemu_io_write(struct vmm_guest *guest, u16 port, u32 width, u32 value);
int vmm_devemu_mmio_read(struct vmm_guest *guest, u64 gpa, u32 width, u64 *value);
int vmm_devemu_mmio_write(struct vmm_guest *guest, u64 gpa, u32 width, u64 value);
/* The same for a region the caller already looked up (VMX exit paths). */
int vmm_devemu_region_read(struct vmm_region *region, u64 addr, u32 width, u64 *value);
int vmm_devemu_region_write(struct vmm_region *region, u64 addr, u32 width, u64 value);
/* Emulator matching 'compatible', or NULL. */
const struct vmm_emulator *vmm_devemu_find_emulator(const char *compatible);

#endif
