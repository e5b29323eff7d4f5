/*
 * kernel/acpi_guest.c - a guest's ACPI tables in its ROM (acpi_guest.h):
 * the plan reads the guest's configuration (its VCPUs and the regions of
 * the devices the tables name) into a description for kernel/
 * acpi_tables.c, or refuses it with the reason; the loader builds the
 * block and copies it to the start of the ROM.
 */
#include <string.h>
#include "kernel/acpi_guest.h"
#include "kernel/guest_config.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"

#define ERR_MAX 192
#define PM1_PORTS 12		/* PM1a_EVT (4), PM1a_CNT (2, +2 unused), PM_TMR (4) */
#define RESET_VALUE 0x06	/* RST_CPU | SYS_RST: a cold reset */
#define FOUR_GIB (1ULL << 32)

/* Is r the virtual region of the emulator 'compat', in memory or in ports? */
static bool is_device(const struct vmm_region_config *r, const char *compat, bool io)
{
	return r->kind == VMM_REGION_VIRTUAL && r->io == io && !strcmp(r->compatible, compat);
}

/*
 * The one region of emulator 'compat' (io or memory) in cfg: VMM_OK and
 * *out (NULL when there is none), or -VMM_EINVALID with the reason when
 * there are several (the tables name one of each).
 */
static int find_one(const struct vmm_guest_config *cfg, const char *compat, bool io,
		    const struct vmm_region_config **out, char *err, size_t err_len)
{
	*out = NULL;
	for (u32 i = 0; i < cfg->nr_regions; i++) {
		const struct vmm_region_config *r = &cfg->regions[i];

		if (!is_device(r, compat, io))
			continue;
		if (*out) {
			vmm_snprintf(err, err_len, "regions %s and %s are both \"%s\": the tables describe one",
				     (*out)->name, r->name, compat);
			return -VMM_EINVALID;
		}
		*out = r;
	}
	return VMM_OK;
}

/* The acpi_tables ROM of cfg (NULL: none), or -VMM_EINVALID if it is not usable. */
static int find_rom(const struct vmm_guest_config *cfg, const struct vmm_region_config **out,
		    char *err, size_t err_len)
{
	const struct vmm_region_config *rom = NULL;

	for (u32 i = 0; i < cfg->nr_regions; i++) {
		const struct vmm_region_config *r = &cfg->regions[i];

		if (!r->acpi_tables)
			continue;
		if (rom) {
			vmm_snprintf(err, err_len, "regions %s and %s both ask for acpi_tables (one block per guest)",
				     rom->name, r->name);
			return -VMM_EINVALID;
		}
		rom = r;
	}
	*out = rom;
	if (!rom)
		return VMM_OK;
	if (rom->kind != VMM_REGION_ROM || rom->io) {
		vmm_snprintf(err, err_len, "region %s is not a ROM in memory", rom->name);
		return -VMM_EINVALID;
	}
	if (rom->gpa < ACPI_GUEST_ROM_LOW || rom->gpa >= ACPI_GUEST_ROM_END ||
	    rom->size > ACPI_GUEST_ROM_END - rom->gpa) {
		vmm_snprintf(err, err_len,
			     "region %s (0x%llx-0x%llx) is not inside 0xe0000-0xfffff, where a guest OS looks for the RSDP",
			     rom->name, (unsigned long long)rom->gpa,
			     (unsigned long long)(rom->gpa + rom->size - 1));
		return -VMM_EINVALID;
	}
	return VMM_OK;
}

int vmm_acpi_guest_plan(const struct vmm_guest_config *cfg, struct acpi_guest_plan *plan,
			char *err, size_t err_len)
{
	const struct vmm_region_config *rom, *ioapic, *lapic, *pm, *reset;
	struct acpi_tables_in *in = &plan->in;
	int rc;

	memset(plan, 0, sizeof(*plan));
	err[0] = 0;
	rc = find_rom(cfg, &rom, err, err_len);
	if (rc || !rom)
		return rc;
	rc = find_one(cfg, "x86,ioapic", false, &ioapic, err, err_len);
	if (!rc)
		rc = find_one(cfg, "x86,local-apic", false, &lapic, err, err_len);
	if (!rc)
		rc = find_one(cfg, "acpi,pm1", true, &pm, err, err_len);
	if (!rc)
		rc = find_one(cfg, "pc,reset-port", true, &reset, err, err_len);
	if (rc)
		return rc;
	if (!cfg->nr_vcpus || cfg->nr_vcpus > ACPI_GUEST_MAX_CPUS) {
		vmm_snprintf(err, err_len, "%u VCPUs: the MADT describes 1 to %u", cfg->nr_vcpus,
			     ACPI_GUEST_MAX_CPUS);
		return -VMM_EINVALID;
	}
	if (!ioapic) {
		vmm_snprintf(err, err_len, "no \"x86,ioapic\" memory region: the MADT describes an IO-APIC");
		return -VMM_EINVALID;
	}
	if (ioapic->gpa >= FOUR_GIB) {
		vmm_snprintf(err, err_len, "IO-APIC region %s at 0x%llx: the MADT holds a 32-bit address",
			     ioapic->name, (unsigned long long)ioapic->gpa);
		return -VMM_EINVALID;
	}
	if (lapic && lapic->gpa != ACPI_LAPIC_ADDR) {
		vmm_snprintf(err, err_len, "local APIC region %s at 0x%llx: the MADT says 0x%x",
			     lapic->name, (unsigned long long)lapic->gpa, ACPI_LAPIC_ADDR);
		return -VMM_EINVALID;
	}
	if (!pm || pm->size < PM1_PORTS) {
		vmm_snprintf(err, err_len,
			     "%s%s: the FADT needs the %u ports of an \"acpi,pm1\" io region (PM1 block, PM timer)",
			     pm ? "region " : "no PM block", pm ? pm->name : "", PM1_PORTS);
		return -VMM_EINVALID;
	}
	acpi_tables_pc_defaults(in, cfg->nr_vcpus);
	in->ioapic_addr = (u32)ioapic->gpa;
	in->isos[0].flags = ACPI_MPS_ACTIVE_HIGH | ACPI_MPS_EDGE;	/* IRQ0 -> GSI 2 */
	in->pm1a_evt_port = (u16)pm->gpa;
	in->pm1a_cnt_port = (u16)(pm->gpa + 4);
	in->pm_tmr_port = (u16)(pm->gpa + 8);
	in->pm_tmr_32bit = false;		/* devemu/acpi_pm.c: 24 bits */
	in->reset_port = reset ? (u16)reset->gpa : 0;
	in->reset_value = RESET_VALUE;
	in->iapc_boot_arch = ACPI_BOOT_LEGACY_DEVICES;
	for (u32 i = 0; i < cfg->nr_regions; i++)
		if (is_device(&cfg->regions[i], "i8042", true))
			in->iapc_boot_arch |= ACPI_BOOT_8042;
	plan->size = acpi_tables_size(in);
	if (!plan->size) {
		vmm_snprintf(err, err_len, "the description of %u VCPUs is not valid", cfg->nr_vcpus);
		return -VMM_EINVALID;
	}
	if (plan->size > rom->size) {
		vmm_snprintf(err, err_len, "region %s holds %llu bytes, the tables for %u VCPUs need %llu",
			     rom->name, (unsigned long long)rom->size, cfg->nr_vcpus,
			     (unsigned long long)plan->size);
		return -VMM_EINVALID;
	}
	plan->rom = rom;
	return VMM_OK;
}

int vmm_acpi_guest_load(struct vmm_guest *g)
{
	struct acpi_guest_plan plan;
	struct acpi_tables_out out;
	char err[ERR_MAX];
	u8 *buf;
	int rc;

	rc = vmm_acpi_guest_plan(g->config, &plan, err, sizeof(err));
	if (rc) {
		vmm_err("guest %s: ACPI tables refused: %s\n", g->name, err);
		return rc;
	}
	if (!plan.rom)
		return VMM_OK;
	buf = vmm_malloc(plan.size);
	if (!buf)
		return -VMM_ENOMEM;
	rc = acpi_tables_build(&plan.in, plan.rom->gpa, buf, plan.size, &out);
	if (!rc && vmm_guest_memory_write(g, plan.rom->gpa, buf, plan.size) != plan.size)
		rc = -VMM_EFAULT;
	vmm_free(buf);
	if (rc) {
		vmm_err("guest %s: ACPI tables could not be written to region %s (%s)\n", g->name,
			plan.rom->name, vmm_strerror(rc));
		return rc;
	}
	vmm_info("guest %s: ACPI tables in %s, RSDP at 0x%llx (%llu bytes): %u CPUs, IO-APIC at 0x%x, "
		 "PM1 at port 0x%x, reset port 0x%x\n", g->name, plan.rom->name,
		 (unsigned long long)(plan.rom->gpa + out.rsdp), (unsigned long long)out.size,
		 plan.in.nr_cpus, plan.in.ioapic_addr, plan.in.pm1a_evt_port, plan.in.reset_port);
	return VMM_OK;
}
