/*
 * devemu/reset_port.c - the reset control register of a PC guest
 *
 * compatible "pc,reset-port" (device_type "system"): the reset control
 * register at 0xCF9 (one port; the FADT's RESET_REG, value 6). Bits 1
 * (SYS_RST) and 3 (FULL_RST) are kept and read back; a write with bit 2
 * (RST_CPU) set resets the guest as the 8042's reset line does
 * (vmm_manager_guest_reboot(): RAM kept, VCPUs and devices start over,
 * done by the manager thread), whether the reset is "hard" (SYS_RST) or
 * "soft" - for a guest both are a restart.
 */
#include "devemu/devemu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/error.h"
#include "kernel/printk.h"

#define RCR_SYS_RST	(1u << 1)
#define RCR_RST_CPU	(1u << 2)
#define RCR_FULL_RST	(1u << 3)
#define RCR_KEPT	(RCR_SYS_RST | RCR_FULL_RST)

/* The register itself is kept in ed->priv's bits (no allocation). */
static int rcr_probe(struct vmm_emudev *ed)
{
	const struct vmm_region_config *r = ed->region->cfg;

	if (!r->io || r->size != 1) {
		vmm_err("guest %s: pc,reset-port: region %s must be 1 I/O port (it is %llu %s)\n",
			ed->guest->name, r->name, (unsigned long long)r->size,
			r->io ? "ports" : "bytes of memory");
		return -VMM_EINVALID;
	}
	ed->priv = NULL;
	return VMM_OK;
}

static int rcr_reset(struct vmm_emudev *ed)
{
	ed->priv = NULL;
	return VMM_OK;
}

/* Bits 1 and 3 read back; the bytes above the port read 0xFF. */
static int rcr_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	u64 ones = width >= 8 ? ~0ULL : (1ULL << (width * 8)) - 1;

	if (off != 0 || width > 4) {
		*value = ones;
		return VMM_OK;
	}
	*value = (ones & ~0xFFULL) | ((unsigned long)ed->priv & RCR_KEPT);
	return VMM_OK;
}

/* RST_CPU set: the guest restarts (the manager's warm reset). */
static int rcr_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	u32 v = (u32)value & 0xFF;

	if (off != 0 || width > 4)
		return VMM_OK;
	ed->priv = (void *)(unsigned long)(v & RCR_KEPT);
	if (!(v & RCR_RST_CPU))
		return VMM_OK;
	vmm_info("guest %s: reset through port 0xCF9 (%s reset)\n", ed->guest->name,
		 (v & RCR_SYS_RST) ? "hard" : "soft");
	return vmm_manager_guest_reboot(ed->guest);
}

static const char *const rcr_compatible[] = { "pc,reset-port", NULL };

const struct vmm_emulator reset_port_emulator = {
	.name = "pc-reset-port",
	.device_type = "system",
	.compatible = rcr_compatible,
	.probe = rcr_probe,
	.reset = rcr_reset,
	.read = rcr_read,
	.write = rcr_write,
};
VMM_EMULATOR(reset_port_emulator);
