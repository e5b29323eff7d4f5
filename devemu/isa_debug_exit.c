/*
 * devemu/isa_debug_exit.c - the test-exit port of QEMU's `isa-debug-exit`
 * (compatible "isa-debug-exit", device_type "exit"): an I/O region of 1 to
 * 4 ports (QEMU's iobase/iosize; 0xF4 and 1 are QEMU's defaults). A write
 * of value V of any width at any of its ports ends the guest with status
 * (V << 1) | 1, as QEMU's process exit status would be: the line
 * "guest G: isa-debug-exit: status S" is printed and every VCPU of the
 * guest is halted with that reason. Nothing else changes: other guests go
 * on, the hypervisor stays up. Reads return all-ones (QEMU's device has no
 * read side). A status wider than 32 bits cannot arise: port writes are at
 * most 4 bytes, so S fits in 33 bits and is printed in full.
 */
#include "devemu/devemu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/printk.h"
#include "kernel/error.h"

#define EXIT_REASON_MAX 64

/* Accept an io region of 1..4 ports (QEMU's iosize); anything else is refused. */
static int debug_exit_probe(struct vmm_emudev *ed)
{
	const struct vmm_region_config *r = ed->region->cfg;

	if (!r->io || r->size < 1 || r->size > 4) {
		vmm_err("guest %s: isa-debug-exit: region %s must be 1 to 4 I/O ports (it is %llu %s)\n",
			ed->guest->name, r->name, (unsigned long long)r->size,
			r->io ? "ports" : "bytes of memory");
		return -VMM_EINVALID;
	}
	return VMM_OK;
}

/* No read side: all-ones of the access width. */
static int debug_exit_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	(void)ed;
	(void)off;
	*value = width >= 8 ? ~0ULL : (1ULL << (width * 8)) - 1;
	return VMM_OK;
}

/* A write ends the guest: status (V << 1) | 1 printed, every VCPU halted. */
static int debug_exit_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	char reason[EXIT_REASON_MAX];
	u64 v = width >= 8 ? value : value & ((1ULL << (width * 8)) - 1);
	u64 status = (v << 1) | 1;

	(void)off;
	vmm_snprintf(reason, sizeof(reason), "isa-debug-exit: status %llu",
		     (unsigned long long)status);
	vmm_info("guest %s: %s\n", ed->guest->name, reason);
	return vmm_manager_guest_halt(ed->guest, reason);
}

static const char *const debug_exit_compatible[] = { "isa-debug-exit", NULL };

const struct vmm_emulator isa_debug_exit_emulator = {
	.name = "isa-debug-exit",
	.device_type = "exit",
	.compatible = debug_exit_compatible,
	.probe = debug_exit_probe,
	.read = debug_exit_read,
	.write = debug_exit_write,
};
VMM_EMULATOR(isa_debug_exit_emulator);
