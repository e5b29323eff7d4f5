/*
 * devemu/acpi_pm.c - the ACPI fixed power-management hardware of a PC guest
 * (ACPI 6.0 section 4.8), where kernel/acpi_tables.c's FADT points
 * (acpi_tables_pc_defaults(): 0x600, 0x604, 0x608):
 *
 * compatible "acpi,pm1" (device_type "system"): an I/O region of exactly 12
 * ports at a base B:
 *   B+0  PM1a_EVT status (16 bits, write 1 to clear). Only TMR_STS (bit 0)
 *        is ever set: when bit 23 of the PM timer has changed since the
 *        guest last looked (found when the block is accessed, no timer
 *        event; so no SCI is raised, TMR_EN only reads back).
 *   B+2  PM1a_EVT enable (16 bits, read/write, stored as written).
 *   B+4  PM1a_CNT (16 bits): SCI_EN (bit 0) always reads 1 (no SMM
 *        handover, as the FADT says); BM_RLD (bit 1) and SLP_TYP (bits
 *        10-12) read back; GBL_RLS (bit 2) and SLP_EN (bit 13) read 0.
 *        Writing SLP_EN with SLP_TYP = 5 (the DSDT's _S5) powers the guest
 *        off: "guest G: ACPI S5: powered off", every VCPU of that guest
 *        halted with that reason. Any other SLP_TYP (S1-S4 are not
 *        modelled): one line "guest G: ACPI: sleep type T requested, not
 *        supported, ignored" (once per type until the guest is reset) and
 *        nothing else.
 *   B+6  reserved: reads all-ones, writes ignored.
 *   B+8  PM_TMR (32 bits, read-only): a 24-bit counter at 3.579545 MHz of
 *        the guest's virtual time since the device was last reset
 *        (floor(ns * 3579545 / 10^9) mod 2^24), bits 24-31 read 0.
 * The block is a byte-addressed register file, as on a PIIX4: byte, word
 * and dword accesses at any offset read or write the bytes they cover
 * (bytes beyond the region read 0xFF); 8-byte accesses read all-ones and
 * are ignored when written.
 *
 * Port 0xCF9 (the FADT's reset register) is devemu/reset_port.c.
 */
#include "devemu/devemu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/timer.h"
#include "kernel/heap.h"
#include "kernel/error.h"
#include "kernel/spinlock.h"
#include "kernel/printk.h"

#define PM_BLOCK_PORTS	12
#define PM_TMR_HZ	3579545ULL
#define NS_PER_SEC	1000000000ULL

#define PM1_TMR_STS	(1u << 0)
#define PM1_SCI_EN	(1u << 0)
#define PM1_BM_RLD	(1u << 1)
#define PM1_GBL_RLS	(1u << 2)
#define PM1_SLP_TYP	(7u << 10)
#define PM1_SLP_EN	(1u << 13)
#define PM1_CNT_KEPT	(PM1_BM_RLD | PM1_SLP_TYP)
#define PM_S5_TYP	5

struct acpi_pm {
	vmm_spinlock_t lock;
	u64 base_ns;		/* virtual time of the last reset: count 0 */
	u64 tmr_epoch;		/* PM timer ticks >> 23 when last looked at */
	u16 sts, en, cnt;
	u8 reported;		/* SLP_TYP values already reported */
};

/*
 * PM timer ticks in 'ns' nanoseconds, exact (floor) and without overflow:
 * whole seconds and the rest separately: for any 64-bit ns the first
 * product stays below 2^56 and the second below 2^52, so nothing wraps.
 */
static u64 acpi_pm_ticks(u64 ns)
{
	return (ns / NS_PER_SEC) * PM_TMR_HZ + (ns % NS_PER_SEC) * PM_TMR_HZ / NS_PER_SEC;
}

/* Ticks now; sets TMR_STS when bit 23 changed since the last look. */
static u64 pm_ticks_now(struct acpi_pm *p)
{
	u64 now = vmm_timer_now_ns();
	u64 t = acpi_pm_ticks(now > p->base_ns ? now - p->base_ns : 0);

	if ((t >> 23) != p->tmr_epoch) {
		p->tmr_epoch = t >> 23;
		p->sts |= PM1_TMR_STS;
	}
	return t;
}

/* Byte i (0..11) of the block as the guest reads it; lock held. */
static u8 pm_byte(struct acpi_pm *p, u64 i, u32 tmr)
{
	switch (i) {
	case 0: return (u8)p->sts;
	case 1: return (u8)(p->sts >> 8);
	case 2: return (u8)p->en;
	case 3: return (u8)(p->en >> 8);
	case 4: return (u8)(p->cnt | PM1_SCI_EN);
	case 5: return (u8)(p->cnt >> 8);
	case 8: case 9: case 10: case 11:
		return (u8)(tmr >> ((i - 8) * 8));
	default: return 0xFF;
	}
}

static int pm_probe(struct vmm_emudev *ed)
{
	const struct vmm_region_config *r = ed->region->cfg;
	struct acpi_pm *p;

	if (!r->io || r->size != PM_BLOCK_PORTS) {
		vmm_err("guest %s: acpi,pm1: region %s must be 12 I/O ports (it is %llu %s)\n",
			ed->guest->name, r->name, (unsigned long long)r->size,
			r->io ? "ports" : "bytes of memory");
		return -VMM_EINVALID;
	}
	p = vmm_zalloc(sizeof(*p));
	if (!p)
		return -VMM_ENOMEM;
	p->lock = (vmm_spinlock_t)VMM_SPINLOCK_INIT;
	p->base_ns = vmm_timer_now_ns();
	ed->priv = p;
	return VMM_OK;
}

/* Power-on state: registers 0, the PM timer counting from 0 again. */
static int pm_reset(struct vmm_emudev *ed)
{
	struct acpi_pm *p = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&p->lock);

	p->sts = p->en = p->cnt = 0;
	p->reported = 0;
	p->tmr_epoch = 0;
	p->base_ns = vmm_timer_now_ns();
	vmm_spin_unlock_irqrestore(&p->lock, f);
	return VMM_OK;
}

static void pm_remove(struct vmm_emudev *ed)
{
	vmm_free(ed->priv);
	ed->priv = NULL;
}

static int pm_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	struct acpi_pm *p = ed->priv;
	unsigned long f;
	u64 v = 0;
	u32 tmr;

	if (width > 4) {
		*value = ~0ULL;
		return VMM_OK;
	}
	f = vmm_spin_lock_irqsave(&p->lock);
	tmr = (u32)(pm_ticks_now(p) & 0xFFFFFF);
	for (u32 i = 0; i < width; i++)
		v |= (u64)pm_byte(p, off + i, tmr) << (i * 8);
	vmm_spin_unlock_irqrestore(&p->lock, f);
	*value = v;
	return VMM_OK;
}

/* The guest wrote SLP_EN with sleep type 'typ': S5 powers it off. */
static int pm_sleep(struct vmm_emudev *ed, struct acpi_pm *p, u32 typ)
{
	unsigned long f;
	bool report;

	if (typ == PM_S5_TYP) {
		vmm_info("guest %s: ACPI S5: powered off\n", ed->guest->name);
		return vmm_manager_guest_halt(ed->guest, "ACPI S5: powered off");
	}
	f = vmm_spin_lock_irqsave(&p->lock);
	report = !(p->reported & (1u << typ));
	p->reported |= (u8)(1u << typ);
	vmm_spin_unlock_irqrestore(&p->lock, f);
	if (report)
		vmm_info("guest %s: ACPI: sleep type %u requested, not supported, ignored\n",
			 ed->guest->name, typ);
	return VMM_OK;
}

static int pm_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	struct acpi_pm *p = ed->priv;
	bool cnt_hi = false;
	unsigned long f;
	u32 cnt;

	if (width > 4)
		return VMM_OK;
	f = vmm_spin_lock_irqsave(&p->lock);
	pm_ticks_now(p);	/* a due TMR_STS is set before the clear */
	for (u32 i = 0; i < width; i++) {
		u64 at = off + i;
		u16 b = (u8)(value >> (i * 8));
		u16 sh = (at & 1) ? 8 : 0;

		switch (at) {
		case 0: case 1:
			p->sts &= (u16)~(b << sh);
			break;
		case 2: case 3:
			p->en = (u16)((p->en & ~(0xFF << sh)) | (b << sh));
			break;
		case 4: case 5:
			p->cnt = (u16)((p->cnt & ~(0xFF << sh)) | (b << sh));
			cnt_hi |= at == 5;
			break;
		default:	/* reserved, PM timer (read-only), beyond */
			break;
		}
	}
	cnt = p->cnt;
	p->cnt &= PM1_CNT_KEPT;
	vmm_spin_unlock_irqrestore(&p->lock, f);
	if (cnt_hi && (cnt & PM1_SLP_EN))
		return pm_sleep(ed, p, (cnt & PM1_SLP_TYP) >> 10);
	return VMM_OK;
}

static const char *const pm_compatible[] = { "acpi,pm1", NULL };

const struct vmm_emulator acpi_pm_emulator = {
	.name = "acpi-pm1",
	.device_type = "system",
	.compatible = pm_compatible,
	.probe = pm_probe,
	.reset = pm_reset,
	.remove = pm_remove,
	.read = pm_read,
	.write = pm_write,
};
VMM_EMULATOR(acpi_pm_emulator);
