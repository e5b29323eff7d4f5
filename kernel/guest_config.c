/*
 * kernel/guest_config.c - semantic validation of /vmm and /guests/<name>
 * (guest_config.h). Each check names the node it concerns.
 */
#include <string.h>
#include "kernel/guest_config.h"
#include "kernel/arch_cpu.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"

const char *vmm_region_kind_name(enum vmm_region_kind kind)
{
	switch (kind) {
	case VMM_REGION_RAM: return "ram";
	case VMM_REGION_ROM: return "rom";
	case VMM_REGION_DEVICE: return "device";
	case VMM_REGION_VIRTUAL: return "virtual";
	}
	return "?";
}

struct check_ctx {
	struct vmm_problems *problems;	/* this guest's findings */
	char path[VMM_DEVTREE_PATH_MAX];
};

static void set_path(struct check_ctx *c, const struct vmm_devtree_node *n)
{
	vmm_devtree_path(n, c->path, sizeof(c->path));
}

/* Read a required attribute of a given kind, recording a problem if bad. */
static bool need_u64(struct check_ctx *c, struct vmm_devtree_node *n, const char *name, u64 *out)
{
	int rc = vmm_devtree_read_u64(n, name, out);

	if (rc == -VMM_ENOENT)
		vmm_problem_add(c->problems, c->path, "required attribute '%s' is missing", name);
	else if (rc)
		vmm_problem_add(c->problems, c->path, "attribute '%s' must be a 64-bit value", name);
	return rc == VMM_OK;
}

static const char *need_string(struct check_ctx *c, struct vmm_devtree_node *n, const char *name)
{
	const char *s = NULL;
	int rc = vmm_devtree_read_string(n, name, &s);

	if (rc == -VMM_ENOENT)
		vmm_problem_add(c->problems, c->path, "required attribute '%s' is missing", name);
	else if (rc)
		vmm_problem_add(c->problems, c->path, "attribute '%s' must be a string", name);
	return rc ? NULL : s;
}

static bool ranges_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

static bool within_one(const struct vmm_phys_range *r, u32 n, u64 s, u64 e)
{
	for (u32 i = 0; i < n; i++)
		if (s >= r[i].start && e <= r[i].end)
			return true;
	return false;
}

static const struct vmm_phys_range *overlapping(const struct vmm_phys_range *r, u32 n,
						u64 s, u64 e)
{
	for (u32 i = 0; i < n; i++)
		if (s < r[i].end && r[i].start < e)
			return &r[i];
	return NULL;
}

_Static_assert(ARCH_CPU_MAX <= 64, "struct vmm_vcpu_config.affinity is a u64 bitmask");

/*
 * A VCPU's affinity = <cpu ...>: host CPU indices, each below ARCH_CPU_MAX,
 * none twice, at least one. Whether a listed CPU is online is the
 * scheduler's business (it warns); this only parses.
 */
static void read_affinity(struct check_ctx *c, struct vmm_devtree_node *v,
			  struct vmm_vcpu_config *vc)
{
	struct vmm_devtree_attr *a = vmm_devtree_attr(v, "affinity");
	u64 mask = 0;

	vc->affinity = 0;
	if (!a)
		return;
	if ((a->type != VMM_DEVTREE_CELLS && a->type != VMM_DEVTREE_U32) || a->len % 4) {
		vmm_problem_add(c->problems, c->path,
				"attribute 'affinity' must be a list of host CPU indices, like <0 1>");
		return;
	}
	if (!a->len) {
		vmm_problem_add(c->problems, c->path,
				"affinity is empty: list at least one host CPU (or leave it out: any CPU)");
		return;
	}
	for (u32 i = 0; i < a->len / 4; i++) {
		u32 cpu;

		memcpy(&cpu, (const u8 *)a->value + i * 4, 4);
		if (cpu >= ARCH_CPU_MAX)
			vmm_problem_add(c->problems, c->path,
					"affinity: host CPU %u is out of range (0..%u)", cpu,
					ARCH_CPU_MAX - 1);
		else if (mask & (1ULL << cpu))
			vmm_problem_add(c->problems, c->path,
					"affinity: host CPU %u is listed twice", cpu);
		else
			mask |= 1ULL << cpu;
	}
	vc->affinity = mask;
}

static void check_vcpus(struct check_ctx *c, struct vmm_devtree_node *guest,
			const struct vmm_vmm_config *vmm, struct vmm_guest_config *g)
{
	struct vmm_devtree_node *vcpus = vmm_devtree_child(guest, "vcpus"), *v;

	set_path(c, guest);
	if (!vcpus) {
		vmm_problem_add(c->problems, c->path, "required node 'vcpus' is missing");
		return;
	}
	vmm_devtree_for_each_child(v, vcpus) {
		struct vmm_vcpu_config *vc;
		u64 ts;
		u32 prio;
		int rc;

		set_path(c, v);
		if (g->nr_vcpus >= VMM_GUEST_MAX_VCPUS) {
			vmm_problem_add(c->problems, c->path, "more than %d VCPUs in one guest",
					VMM_GUEST_MAX_VCPUS);
			break;
		}
		vc = &g->vcpus[g->nr_vcpus++];
		strlcpy(vc->name, v->name, sizeof(vc->name));
		vc->node = v;
		if (!vmm_devtree_string_is(v, "device_type", "vcpu"))
			vmm_problem_add(c->problems, c->path, "device_type must be \"vcpu\"");
		/* a Multiboot or Linux kernel's boot VCPU starts at the image's entry */
		if ((g->mb1.kernel[0] || g->linux_boot.kernel[0]) && g->nr_vcpus == 1)
			vc->start_pc = vmm_devtree_u64_default(v, "start_pc", 0);
		else
			need_u64(c, v, "start_pc", &vc->start_pc);
		rc = vmm_devtree_read_u64(v, "time_slice", &ts);
		if (rc == -VMM_ENOENT)
			ts = vmm->default_time_slice_ns;
		else if (rc)
			vmm_problem_add(c->problems, c->path, "attribute 'time_slice' must be a 64-bit value (ns)");
		else if (ts < 100000 || ts > 10000000000ULL)
			vmm_problem_add(c->problems, c->path,
					"time_slice %llu ns is outside 100000..10000000000 ns",
					(unsigned long long)ts);
		vc->time_slice_ns = ts;
		rc = vmm_devtree_read_u32(v, "priority", &prio);
		if (rc == -VMM_ENOENT)
			prio = 0;
		else if (rc)
			vmm_problem_add(c->problems, c->path, "attribute 'priority' must be a 32-bit value");
		else if (prio > VMM_MAX_PRIORITY)
			vmm_problem_add(c->problems, c->path, "priority %u is above %u", prio,
					VMM_MAX_PRIORITY);
		vc->priority = prio;
		read_affinity(c, v, vc);
		{
			const char *mode = vmm_devtree_string_default(v, "cpu_mode", "real");

			if (!strcmp(mode, "real"))
				vc->mode = VMM_VCPU_MODE_REAL;
			else if (!strcmp(mode, "protected"))
				vc->mode = VMM_VCPU_MODE_PROTECTED;
			else if (!strcmp(mode, "long"))
				vc->mode = VMM_VCPU_MODE_LONG;
			else
				vmm_problem_add(c->problems, c->path,
						"cpu_mode \"%s\" is not \"real\", \"protected\" or \"long\"", mode);
			if (g->mb1.kernel[0] && g->nr_vcpus == 1) {
				if (vc->mode != VMM_VCPU_MODE_PROTECTED && vmm_devtree_attr(v, "cpu_mode"))
					vmm_problem_add(c->problems, c->path,
							"cpu_mode \"%s\": a Multiboot kernel starts in \"protected\" mode (leave cpu_mode out)",
							mode);
				vc->mode = VMM_VCPU_MODE_PROTECTED;
			}
			if (g->linux_boot.kernel[0] && g->nr_vcpus == 1) {
				if (vc->mode != VMM_VCPU_MODE_LONG && vmm_devtree_attr(v, "cpu_mode"))
					vmm_problem_add(c->problems, c->path,
							"cpu_mode \"%s\": a Linux kernel starts in \"long\" mode (leave cpu_mode out)",
							mode);
				vc->mode = VMM_VCPU_MODE_LONG;
			}
			vc->page_table_addr = vmm_devtree_u64_default(v, "page_table_addr",
								      VMM_DEFAULT_PT_ADDR);
			if (vc->mode == VMM_VCPU_MODE_REAL && vc->start_pc >= MiB)
				vmm_problem_add(c->problems, c->path,
						"start_pc 0x%llx is beyond the first MiB, out of reach in real mode",
						(unsigned long long)vc->start_pc);
		}
	}
	if (!g->nr_vcpus) {
		set_path(c, vcpus);
		vmm_problem_add(c->problems, c->path, "a guest needs at least one VCPU");
	}
}

/*
 * Issue 10, finding 5: a real region must not pass through anything the
 * hypervisor itself uses (host->owned, from arch_host_owned() at boot):
 * the guest would reach the host console, interrupt controllers, power-off
 * ports, PCI configuration or the firmware tables the hypervisor reads.
 */
static void check_host_owned(struct check_ctx *c, const struct vmm_host_view *host,
			     const struct vmm_region_config *r, u64 start)
{
	for (u32 i = 0; i < host->nr_owned; i++) {
		const struct vmm_host_owned *o = &host->owned[i];

		if (o->io != r->io || o->end <= start || start + r->size <= o->start)
			continue;
		vmm_problem_add(c->problems, c->path,
				"%s 0x%llx-0x%llx %s the hypervisor's own %s (0x%llx-0x%llx), no guest may have it",
				r->io ? "ports" : "host range", (unsigned long long)start,
				(unsigned long long)(start + r->size - 1),
				r->io ? "include" : "overlaps", o->what,
				(unsigned long long)o->start, (unsigned long long)(o->end - 1));
	}
}

static void check_region(struct check_ctx *c, struct vmm_devtree_node *rn,
			 const struct vmm_host_view *host, struct vmm_region_config *r)
{
	const char *manifest, *atype, *dtype;
	bool have_gpa, have_size;
	u32 before;
	int rc;

	set_path(c, rn);
	strlcpy(r->name, rn->name, sizeof(r->name));
	r->node = rn;
	manifest = need_string(c, rn, "manifest_type");
	atype = need_string(c, rn, "address_type");
	have_gpa = need_u64(c, rn, "guest_physical_addr", &r->gpa);
	have_size = need_u64(c, rn, "physical_size", &r->size);
	dtype = vmm_devtree_string_default(rn, "device_type", NULL);
	strlcpy(r->device_type, dtype ? dtype : "", sizeof(r->device_type));

	if (atype && strcmp(atype, "memory") && strcmp(atype, "io"))
		vmm_problem_add(c->problems, c->path,
				"address_type \"%s\" is not \"memory\" or \"io\"", atype);
	r->io = atype && !strcmp(atype, "io");
	if (have_size && r->size == 0)
		vmm_problem_add(c->problems, c->path, "physical_size is 0");
	if (have_gpa && have_size && r->gpa + r->size < r->gpa)
		vmm_problem_add(c->problems, c->path, "region wraps around the address space");
	else if (have_gpa && have_size && r->io && r->gpa + r->size > 0x10000)
		vmm_problem_add(c->problems, c->path,
				"I/O ports 0x%llx+0x%llx go beyond port 0xffff",
				(unsigned long long)r->gpa, (unsigned long long)r->size);
	else if (have_gpa && have_size && !r->io && r->gpa + r->size > VMM_GUEST_PHYS_LIMIT)
		vmm_problem_add(c->problems, c->path,
				"region ends above the guest physical limit 0x%llx",
				(unsigned long long)VMM_GUEST_PHYS_LIMIT);

	rc = vmm_devtree_read_u64(rn, "host_physical_addr", &r->hpa);
	r->fixed_hpa = rc == VMM_OK;
	if (rc && rc != -VMM_ENOENT)
		vmm_problem_add(c->problems, c->path, "attribute 'host_physical_addr' must be a 64-bit value");

	if (!manifest)
		return;
	if (!strcmp(manifest, "virtual")) {
		r->kind = VMM_REGION_VIRTUAL;
		const char *compat;

		rc = vmm_devtree_read_string_index(rn, "compatible", 0, &compat);
		if (!rc)
			strlcpy(r->compatible, compat, sizeof(r->compatible));
		else
			vmm_problem_add(c->problems, c->path,
					"a virtual region needs a 'compatible' string naming its emulator");
		if (r->fixed_hpa)
			vmm_problem_add(c->problems, c->path,
					"a virtual region has no host_physical_addr");
		return;
	}
	if (strcmp(manifest, "real")) {
		vmm_problem_add(c->problems, c->path,
				"manifest_type \"%s\" is not \"real\" or \"virtual\"", manifest);
		return;
	}
	if (!dtype) {
		vmm_problem_add(c->problems, c->path,
				"a real region needs device_type \"ram\", \"rom\" or \"device\"");
		return;
	}
	if (!strcmp(dtype, "ram")) {
		r->kind = VMM_REGION_RAM;
	} else if (!strcmp(dtype, "rom")) {
		r->kind = VMM_REGION_ROM;
	} else if (!strcmp(dtype, "device")) {
		r->kind = VMM_REGION_DEVICE;
	} else {
		vmm_problem_add(c->problems, c->path,
				"device_type \"%s\" of a real region is not \"ram\", \"rom\" or \"device\"",
				dtype);
		return;
	}
	if (r->io) {
		if (r->kind != VMM_REGION_DEVICE)
			vmm_problem_add(c->problems, c->path,
					"a real io region passes host ports through: device_type must be \"device\"");
		if (r->fixed_hpa && r->hpa != r->gpa)
			vmm_problem_add(c->problems, c->path,
					"passed-through ports cannot be renumbered (host_physical_addr != guest_physical_addr)");
		else if (r->kind == VMM_REGION_DEVICE && have_gpa && have_size)
			check_host_owned(c, host, r, r->gpa);
		return;
	}
	if (have_gpa && !IS_ALIGNED(r->gpa, PAGE_SIZE))
		vmm_problem_add(c->problems, c->path,
				"guest_physical_addr 0x%llx is not page-aligned (4 KiB)",
				(unsigned long long)r->gpa);
	if (have_size && !IS_ALIGNED(r->size, PAGE_SIZE))
		vmm_problem_add(c->problems, c->path,
				"physical_size 0x%llx is not a multiple of the page size (4 KiB)",
				(unsigned long long)r->size);
	if (r->kind == VMM_REGION_DEVICE && !r->fixed_hpa)
		vmm_problem_add(c->problems, c->path,
				"a device window needs host_physical_addr");
	if (!r->fixed_hpa || !have_size)
		return;
	if (!IS_ALIGNED(r->hpa, PAGE_SIZE)) {
		vmm_problem_add(c->problems, c->path,
				"host_physical_addr 0x%llx is not page-aligned (4 KiB)",
				(unsigned long long)r->hpa);
		return;
	}
	if (r->hpa + r->size < r->hpa) {
		vmm_problem_add(c->problems, c->path, "host range wraps around");
		return;
	}
	before = c->problems->count;
	check_host_owned(c, host, r, r->hpa);
	if (c->problems->count != before)
		return;		/* the precise reason; the RAM checks would repeat it */
	if (r->kind == VMM_REGION_DEVICE) {
		const struct vmm_phys_range *ram =
			overlapping(host->ram, host->nr_ram, r->hpa, r->hpa + r->size);

		if (ram)
			vmm_problem_add(c->problems, c->path,
					"device window 0x%llx-0x%llx overlaps host RAM 0x%llx-0x%llx",
					(unsigned long long)r->hpa,
					(unsigned long long)(r->hpa + r->size - 1),
					(unsigned long long)ram->start,
					(unsigned long long)(ram->end - 1));
	} else {
		const struct vmm_phys_range *u =
			overlapping(host->used, host->nr_used, r->hpa, r->hpa + r->size);

		if (!within_one(host->ram, host->nr_ram, r->hpa, r->hpa + r->size))
			vmm_problem_add(c->problems, c->path,
					"host range 0x%llx-0x%llx is not inside host RAM",
					(unsigned long long)r->hpa,
					(unsigned long long)(r->hpa + r->size - 1));
		else if (u)
			vmm_problem_add(c->problems, c->path,
					"host range 0x%llx-0x%llx overlaps the hypervisor's %s (0x%llx-0x%llx)",
					(unsigned long long)r->hpa,
					(unsigned long long)(r->hpa + r->size - 1), u->what,
					(unsigned long long)u->start, (unsigned long long)(u->end - 1));
	}
}

/*
 * acpi_tables (a boolean, no value): the region is a ROM in memory whose
 * contents the hypervisor generates (kernel/acpi_guest.c), so it has no
 * image. Whether the tables fit and the guest can be described is
 * decided when the guest is created.
 */
static void read_acpi_tables(struct check_ctx *c, struct vmm_devtree_node *rn,
			     struct vmm_region_config *r)
{
	struct vmm_devtree_attr *a = vmm_devtree_attr(rn, "acpi_tables");

	r->acpi_tables = false;
	if (!a)
		return;
	set_path(c, rn);
	if (a->type != VMM_DEVTREE_EMPTY || a->len) {
		vmm_problem_add(c->problems, c->path,
				"attribute 'acpi_tables' is a flag: write it without a value (acpi_tables;)");
		return;
	}
	if (r->kind != VMM_REGION_ROM || r->io) {
		vmm_problem_add(c->problems, c->path,
				"acpi_tables: only a real ROM memory region (device_type \"rom\") can hold the generated ACPI tables");
		return;
	}
	if (*vmm_devtree_string_default(rn, "image", "")) {
		vmm_problem_add(c->problems, c->path,
				"acpi_tables: the region's contents are generated, it cannot also have an image");
		return;
	}
	r->acpi_tables = true;
}

static void check_aspace(struct check_ctx *c, struct vmm_devtree_node *guest,
			 const struct vmm_host_view *host, struct vmm_guest_config *g)
{
	struct vmm_devtree_node *aspace = vmm_devtree_child(guest, "aspace"), *rn;
	bool have_ram = false;

	set_path(c, guest);
	if (!aspace) {
		vmm_problem_add(c->problems, c->path, "required node 'aspace' is missing");
		return;
	}
	vmm_devtree_for_each_child(rn, aspace) {
		struct vmm_region_config *r;
		u32 before = c->problems->count;

		if (g->nr_regions >= VMM_GUEST_MAX_REGIONS) {
			set_path(c, rn);
			vmm_problem_add(c->problems, c->path, "more than %d regions in one guest",
					VMM_GUEST_MAX_REGIONS);
			break;
		}
		r = &g->regions[g->nr_regions++];
		memset(r, 0, sizeof(*r));
		check_region(c, rn, host, r);
		if (c->problems->count == before)
			read_acpi_tables(c, rn, r);
		if (c->problems->count != before)
			continue;
		if (r->kind == VMM_REGION_RAM && !r->io)
			have_ram = true;
		if ((r->kind == VMM_REGION_RAM || r->kind == VMM_REGION_ROM) && !r->fixed_hpa)
			g->alloc_bytes += r->size;
		/* overlap with an earlier region of the same address space */
		for (u32 i = 0; i + 1 < g->nr_regions; i++) {
			struct vmm_region_config *o = &g->regions[i];

			if (o->io == r->io && o->size && ranges_overlap(o->gpa, o->size, r->gpa, r->size)) {
				set_path(c, rn);
				vmm_problem_add(c->problems, c->path,
						"%s 0x%llx-0x%llx overlaps region '%s' (0x%llx-0x%llx)",
						r->io ? "ports" : "guest physical range",
						(unsigned long long)r->gpa,
						(unsigned long long)(r->gpa + r->size - 1), o->name,
						(unsigned long long)o->gpa,
						(unsigned long long)(o->gpa + o->size - 1));
			}
		}
	}
	if (!have_ram) {
		set_path(c, aspace);
		vmm_problem_add(c->problems, c->path, "a guest needs at least one real RAM region");
	}
}

/*
 * The host range a region pins, by its start: host_physical_addr, or for
 * passed-through ports their own numbers (the host ports are the guest's).
 */
static bool pinned_host_start(const struct vmm_region_config *r, u64 *start)
{
	if (r->kind == VMM_REGION_VIRTUAL)
		return false;
	if (r->io && r->kind == VMM_REGION_DEVICE) {
		*start = r->gpa;
		return true;
	}
	*start = r->hpa;
	return r->fixed_hpa;
}

/* A long-mode VCPU's page tables must fit in one RAM region of the guest. */
static void check_page_tables(struct check_ctx *c, struct vmm_guest_config *g)
{
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		struct vmm_vcpu_config *vc = &g->vcpus[i];
		bool ok = false;

		if (vc->mode != VMM_VCPU_MODE_LONG)
			continue;
		for (u32 j = 0; j < g->nr_regions; j++) {
			const struct vmm_region_config *r = &g->regions[j];

			if (r->kind == VMM_REGION_RAM && !r->io && vc->page_table_addr >= r->gpa &&
			    vc->page_table_addr + VMM_LONG_MODE_PT_BYTES <= r->gpa + r->size)
				ok = true;
		}
		set_path(c, vc->node);
		if (!IS_ALIGNED(vc->page_table_addr, PAGE_SIZE) || !ok)
			vmm_problem_add(c->problems, c->path,
					"page_table_addr 0x%llx: the 24 KiB of long-mode page tables need a page-aligned place in guest RAM",
					(unsigned long long)vc->page_table_addr);
	}
}

/*
 * multiboot_kernel, multiboot_cmdline, multiboot_modules: a Multiboot (v1)
 * kernel for the guest (kernel/mb1_guest.c loads it; the image itself is
 * checked when the guest is created, as images of regions are).
 */
static void read_multiboot(struct check_ctx *c, struct vmm_devtree_node *gn,
			   struct vmm_guest_config *g)
{
	struct vmm_mb1_config *mb = &g->mb1;
	const char *s;
	int rc, n;

	set_path(c, gn);
	rc = vmm_devtree_read_string(gn, "multiboot_kernel", &s);
	if (rc == -VMM_ENOENT) {
		if (vmm_devtree_attr(gn, "multiboot_cmdline") || vmm_devtree_attr(gn, "multiboot_modules"))
			vmm_problem_add(c->problems, c->path,
					"multiboot_cmdline or multiboot_modules without multiboot_kernel");
		return;
	}
	if (rc || !*s || vmm_devtree_string_count(gn, "multiboot_kernel") != 1 ||
	    strlen(s) >= sizeof(mb->kernel)) {
		vmm_problem_add(c->problems, c->path,
				"attribute 'multiboot_kernel' must be one module name (1..%zu characters)",
				sizeof(mb->kernel) - 1);
		return;
	}
	strlcpy(mb->kernel, s, sizeof(mb->kernel));
	s = mb->kernel;
	rc = vmm_devtree_read_string(gn, "multiboot_cmdline", &s);
	if (rc == -VMM_ENOENT)
		s = mb->kernel;
	else if (rc || vmm_devtree_string_count(gn, "multiboot_cmdline") != 1)
		vmm_problem_add(c->problems, c->path, "attribute 'multiboot_cmdline' must be one string");
	if (strlen(s) >= sizeof(mb->cmdline))
		vmm_problem_add(c->problems, c->path, "multiboot_cmdline is longer than %zu characters",
				sizeof(mb->cmdline) - 1);
	strlcpy(mb->cmdline, s, sizeof(mb->cmdline));
	if (!vmm_devtree_attr(gn, "multiboot_modules"))
		return;
	n = vmm_devtree_string_count(gn, "multiboot_modules");
	if (n <= 0 || n > VMM_MB1_MAX_MODULES) {
		vmm_problem_add(c->problems, c->path,
				"attribute 'multiboot_modules' must be 1 to %d strings \"name [arguments]\"",
				VMM_MB1_MAX_MODULES);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (vmm_devtree_read_string_index(gn, "multiboot_modules", i, &s) || !*s || *s == ' ' ||
		    strlen(s) >= sizeof(mb->modules[0])) {
			vmm_problem_add(c->problems, c->path,
					"multiboot_modules: string %d must be \"name [arguments]\" of at most %zu characters",
					i, sizeof(mb->modules[0]) - 1);
			return;
		}
		strlcpy(mb->modules[i], s, sizeof(mb->modules[i]));
	}
	mb->nr_modules = (u32)n;
}

/* One module name in attribute 'attr' of the guest node into 'out' (size n). */
static bool read_module_name(struct check_ctx *c, struct vmm_devtree_node *gn, const char *attr,
			     char *out, size_t n)
{
	const char *s;

	if (vmm_devtree_read_string(gn, attr, &s) || !*s || vmm_devtree_string_count(gn, attr) != 1 ||
	    strlen(s) >= n || strchr(s, ' ')) {
		vmm_problem_add(c->problems, c->path,
				"attribute '%s' must be one module name (1..%zu characters, no spaces)",
				attr, n - 1);
		return false;
	}
	strlcpy(out, s, n);
	return true;
}

/*
 * linux_kernel, linux_initrd, linux_cmdline: a Linux bzImage for the guest,
 * started with the 64-bit boot protocol (kernel/linux_guest.c loads it and
 * checks the image when the guest is created).
 */
static void read_linux(struct check_ctx *c, struct vmm_devtree_node *gn, struct vmm_guest_config *g)
{
	struct vmm_linux_config *lx = &g->linux_boot;
	const char *s;

	set_path(c, gn);
	if (!vmm_devtree_attr(gn, "linux_kernel")) {
		if (vmm_devtree_attr(gn, "linux_initrd") || vmm_devtree_attr(gn, "linux_cmdline"))
			vmm_problem_add(c->problems, c->path, "linux_initrd or linux_cmdline without linux_kernel");
		return;
	}
	if (g->mb1.kernel[0]) {
		vmm_problem_add(c->problems, c->path,
				"linux_kernel and multiboot_kernel: a guest boots one kernel");
		return;
	}
	if (!read_module_name(c, gn, "linux_kernel", lx->kernel, sizeof(lx->kernel)))
		return;
	if (vmm_devtree_attr(gn, "linux_initrd") &&
	    !read_module_name(c, gn, "linux_initrd", lx->initrd, sizeof(lx->initrd)))
		return;
	if (!vmm_devtree_attr(gn, "linux_cmdline"))
		return;
	if (vmm_devtree_read_string(gn, "linux_cmdline", &s) ||
	    vmm_devtree_string_count(gn, "linux_cmdline") != 1)
		vmm_problem_add(c->problems, c->path, "attribute 'linux_cmdline' must be one string");
	else if (strlen(s) >= sizeof(lx->cmdline))
		vmm_problem_add(c->problems, c->path, "linux_cmdline is longer than %zu characters",
				sizeof(lx->cmdline) - 1);
	else
		strlcpy(lx->cmdline, s, sizeof(lx->cmdline));
}

/* start = "boot" (default: only the first VCPU) or "all" (every VCPU). */
static void read_start(struct check_ctx *c, struct vmm_devtree_node *gn,
		       struct vmm_guest_config *g)
{
	const char *s;
	int rc = vmm_devtree_read_string(gn, "start", &s);

	set_path(c, gn);
	g->start_all = false;
	if (rc == -VMM_ENOENT)
		return;
	if (rc || vmm_devtree_string_count(gn, "start") != 1)
		vmm_problem_add(c->problems, c->path,
				"attribute 'start' must be one string, \"boot\" or \"all\"");
	else if (!strcmp(s, "all"))
		g->start_all = true;
	else if (strcmp(s, "boot"))
		vmm_problem_add(c->problems, c->path,
				"start \"%s\" is not \"boot\" or \"all\"", s);
}

/* Fixed host ranges of two guests must not overlap: that would break isolation. */
static void check_against_accepted(struct check_ctx *c, const struct vmm_config *cfg,
				   struct vmm_guest_config *g)
{
	for (u32 i = 0; i < g->nr_regions; i++) {
		struct vmm_region_config *r = &g->regions[i];
		u64 start, ostart;

		if (!pinned_host_start(r, &start))
			continue;
		for (u32 j = 0; j < cfg->nr_guests; j++) {
			const struct vmm_guest_config *o = &cfg->guests[j];

			for (u32 k = 0; k < o->nr_regions; k++) {
				const struct vmm_region_config *or = &o->regions[k];

				if (!pinned_host_start(or, &ostart) || or->io != r->io ||
				    !ranges_overlap(ostart, or->size, start, r->size))
					continue;
				set_path(c, r->node);
				vmm_problem_add(c->problems, c->path,
						"host %s 0x%llx-0x%llx already belong to guest '%s' (%s)",
						r->io ? "ports" : "range", (unsigned long long)start,
						(unsigned long long)(start + r->size - 1), o->name, or->name);
			}
		}
	}
}

static void read_vmm(struct vmm_devtree_node *root, struct vmm_vmm_config *v)
{
	struct vmm_devtree_node *n = vmm_devtree_child(root, "vmm");

	v->max_guests = VMM_DEFAULT_MAX_GUESTS;
	v->max_vcpus = VMM_DEFAULT_MAX_VCPUS;
	v->default_time_slice_ns = VMM_DEFAULT_TIME_SLICE_NS;
	v->console[0] = 0;
	v->bootcmd[0] = 0;
	v->nr_bootcmds = 0;
	if (!n) {
		vmm_warn("config: no /vmm node; using defaults\n");
		return;
	}
	v->max_guests = vmm_devtree_u32_default(n, "max_guest_count", v->max_guests);
	v->max_vcpus = vmm_devtree_u32_default(n, "max_vcpu_count", v->max_vcpus);
	v->default_time_slice_ns = vmm_devtree_u64_default(n, "default_time_slice",
							   v->default_time_slice_ns);
	if (v->default_time_slice_ns < 100000 || v->default_time_slice_ns > 10000000000ULL) {
		vmm_warn("config: /vmm: default_time_slice %llu ns out of range; using %llu\n",
			 (unsigned long long)v->default_time_slice_ns,
			 (unsigned long long)VMM_DEFAULT_TIME_SLICE_NS);
		v->default_time_slice_ns = VMM_DEFAULT_TIME_SLICE_NS;
	}
	strlcpy(v->console, vmm_devtree_string_default(n, "console", ""), sizeof(v->console));
	strlcpy(v->bootcmd, vmm_devtree_string_default(n, "bootcmd", ""), sizeof(v->bootcmd));
	{
		int count = vmm_devtree_string_count(n, "bootcmd");

		for (int i = 0; i < count; i++) {
			const char *cmd;

			if (v->nr_bootcmds == VMM_MAX_BOOTCMDS) {
				vmm_warn("config: /vmm: bootcmd has %d strings; the first %d are run\n",
					 count, VMM_MAX_BOOTCMDS);
				break;
			}
			if (vmm_devtree_read_string_index(n, "bootcmd", (u32)i, &cmd))
				break;
			if (strlen(cmd) >= sizeof(v->bootcmds[0]))
				vmm_warn("config: /vmm: bootcmd string %d is longer than %zu characters: cut\n",
					 i, sizeof(v->bootcmds[0]) - 1);
			strlcpy(v->bootcmds[v->nr_bootcmds++], cmd, sizeof(v->bootcmds[0]));
		}
	}
}

/* Is 'path' at or below one of the guest nodes of the tree? */
static bool in_a_guest(const char *path, const struct vmm_devtree_node *guests)
{
	const struct vmm_devtree_node *gn;
	char gpath[VMM_DEVTREE_PATH_MAX];

	vmm_devtree_for_each_child(gn, guests)
		if (vmm_path_is_under(path, vmm_devtree_path(gn, gpath, sizeof(gpath))))
			return true;
	return false;
}

/*
 * Report every problem not attributed to a guest (they do not reject one),
 * including those about a guest node that was itself left out of the tree.
 */
static void report_global_problems(const struct vmm_problems *p,
				   const struct vmm_devtree_node *guests)
{
	for (u32 i = 0; i < p->count; i++)
		if (!in_a_guest(p->items[i].path, guests))
			vmm_err("config: %s: %s\n", p->items[i].path, p->items[i].msg);
}

static void reject(const char *name, const struct vmm_problems *mine)
{
	vmm_err("config: guest '%s' rejected, %u problem%s:\n", name, mine->count,
		mine->count == 1 ? "" : "s");
	for (u32 i = 0; i < mine->count; i++)
		vmm_err("config:   %s: %s\n", mine->items[i].path, mine->items[i].msg);
}

int vmm_config_validate(struct vmm_devtree_node *root, struct vmm_problems *problems,
			const struct vmm_host_view *host, struct vmm_config *out)
{
	struct vmm_devtree_node *guests, *gn;
	u32 total = 0, vcpus_used = 0;
	u64 budget;

	memset(out, 0, sizeof(*out));
	read_vmm(root, &out->vmm);
	guests = vmm_devtree_child(root, "guests");
	report_global_problems(problems, guests);
	budget = host->free_bytes > VMM_HOST_RESERVE_BYTES ?
			 host->free_bytes - VMM_HOST_RESERVE_BYTES : 0;
	if (!guests) {
		vmm_warn("config: no /guests node: no guests configured\n");
		return VMM_OK;
	}
	vmm_devtree_for_each_child(gn, guests)
		total++;
	out->guests = total ? vmm_zalloc(total * sizeof(*out->guests)) : NULL;
	if (total && !out->guests)
		return -VMM_ENOMEM;

	vmm_devtree_for_each_child(gn, guests) {
		struct vmm_guest_config *g = &out->guests[out->nr_guests];
		struct vmm_problems mine;
		struct check_ctx c;
		char gpath[VMM_DEVTREE_PATH_MAX];

		vmm_problems_init(&mine);
		c.problems = &mine;
		memset(g, 0, sizeof(*g));
		strlcpy(g->name, gn->name, sizeof(g->name));
		g->node = gn;
		vmm_devtree_path(gn, gpath, sizeof(gpath));
		/* what unflattening found below this guest */
		for (u32 i = 0; i < problems->count; i++)
			if (vmm_path_is_under(problems->items[i].path, gpath))
				vmm_problem_add(&mine, problems->items[i].path, "%s",
						problems->items[i].msg);
		set_path(&c, gn);
		if (!vmm_devtree_string_is(gn, "device_type", "guest"))
			vmm_problem_add(&mine, c.path, "device_type must be \"guest\"");
		read_multiboot(&c, gn, g);
		read_linux(&c, gn, g);
		check_vcpus(&c, gn, &out->vmm, g);
		check_aspace(&c, gn, host, g);
		check_page_tables(&c, g);
		{
			const char *ua = vmm_devtree_string_default(gn, "unassigned_io", "ignore");

			set_path(&c, gn);
			if (!strcmp(ua, "halt"))
				g->strict_io = true;
			else if (strcmp(ua, "ignore"))
				vmm_problem_add(&mine, c.path,
						"unassigned_io \"%s\" is not \"ignore\" or \"halt\"", ua);
		}
		{
			const char *tf = vmm_devtree_string_default(gn, "on_triple_fault", "halt");

			set_path(&c, gn);
			if (!strcmp(tf, "reset"))
				g->reset_on_triple_fault = true;
			else if (strcmp(tf, "halt"))
				vmm_problem_add(&mine, c.path,
						"on_triple_fault \"%s\" is not \"halt\" or \"reset\"", tf);
		}
		read_start(&c, gn, g);
		check_against_accepted(&c, out, g);
		set_path(&c, gn);
		if (out->nr_guests >= out->vmm.max_guests)
			vmm_problem_add(&mine, c.path,
					"more guests than /vmm max_guest_count (%u)", out->vmm.max_guests);
		if (vcpus_used + g->nr_vcpus > out->vmm.max_vcpus)
			vmm_problem_add(&mine, c.path,
					"its %u VCPUs exceed /vmm max_vcpu_count (%u, %u used)",
					g->nr_vcpus, out->vmm.max_vcpus, vcpus_used);
		if (g->alloc_bytes > budget)
			vmm_problem_add(&mine, c.path,
					"needs %llu KiB of host RAM, only %llu KiB left for guests",
					(unsigned long long)(g->alloc_bytes / KiB),
					(unsigned long long)(budget / KiB));
		/* last: take fixed host RAM away from the allocator */
		for (u32 i = 0; !mine.count && i < g->nr_regions; i++) {
			struct vmm_region_config *r = &g->regions[i];
			int rc;

			if (!r->fixed_hpa || r->io ||
			    (r->kind != VMM_REGION_RAM && r->kind != VMM_REGION_ROM) || !host->claim)
				continue;
			rc = host->claim(r->hpa, r->hpa + r->size);
			if (rc) {
				set_path(&c, r->node);
				vmm_problem_add(&mine, c.path,
						"host range 0x%llx-0x%llx is already in use by the hypervisor (%s)",
						(unsigned long long)r->hpa,
						(unsigned long long)(r->hpa + r->size - 1),
						vmm_strerror(rc));
			}
		}
		if (mine.dropped)
			vmm_err("config: guest '%s': %u more problems not recorded (out of memory)\n",
				g->name, mine.dropped);
		if (mine.count || mine.dropped) {
			reject(g->name, &mine);
			out->nr_rejected++;
		} else {
			budget -= g->alloc_bytes;
			vcpus_used += g->nr_vcpus;
			out->nr_guests++;
		}
		vmm_problems_free(&mine);
	}
	return VMM_OK;
}

void vmm_config_free(struct vmm_config *cfg)
{
	vmm_free(cfg->guests);
	memset(cfg, 0, sizeof(*cfg));
}

static bool is_ancestor_or_self(const struct vmm_devtree_node *anc,
				const struct vmm_devtree_node *n)
{
	for (; n; n = n->parent)
		if (n == anc)
			return true;
	return false;
}

bool vmm_config_uses_node(const struct vmm_config *cfg, const struct vmm_devtree_node *node)
{
	for (u32 i = 0; i < cfg->nr_guests; i++) {
		const struct vmm_guest_config *g = &cfg->guests[i];

		if (is_ancestor_or_self(node, g->node))
			return true;
		for (u32 j = 0; j < g->nr_regions; j++)
			if (is_ancestor_or_self(node, g->regions[j].node))
				return true;
		for (u32 j = 0; j < g->nr_vcpus; j++)
			if (is_ancestor_or_self(node, g->vcpus[j].node))
				return true;
	}
	return false;
}

void vmm_config_print_summary(const struct vmm_config *cfg, int level)
{
	vmm_printk(level, "config: %u guest%s accepted, %u rejected; max %u guests, %u VCPUs, time slice %llu us\n",
		 cfg->nr_guests, cfg->nr_guests == 1 ? "" : "s", cfg->nr_rejected,
		 cfg->vmm.max_guests, cfg->vmm.max_vcpus,
		 (unsigned long long)(cfg->vmm.default_time_slice_ns / 1000));
	for (u32 i = 0; i < cfg->nr_guests; i++) {
		const struct vmm_guest_config *g = &cfg->guests[i];

		vmm_printk(level, "guest %s: %u VCPU%s, %u regions, %llu KiB RAM/ROM to allocate%s\n",
			 g->name, g->nr_vcpus, g->nr_vcpus == 1 ? "" : "s", g->nr_regions,
			 (unsigned long long)(g->alloc_bytes / KiB),
			 g->start_all && g->nr_vcpus > 1 ? ", all VCPUs start" : "");
		for (u32 j = 0; j < g->nr_vcpus; j++) {
			char aff[4 * ARCH_CPU_MAX + 16] = "";
			size_t off = 0;

			for (u32 cpu = 0; cpu < ARCH_CPU_MAX && g->vcpus[j].affinity; cpu++)
				if (g->vcpus[j].affinity & (1ULL << cpu))
					off += vmm_snprintf(aff + off, sizeof(aff) - off, "%s%u",
							    off ? " " : ", host CPUs ", cpu);
			vmm_printk(level, "  %s/%s: start_pc 0x%llx, time slice %llu us, priority %u%s\n",
				 g->name, g->vcpus[j].name, (unsigned long long)g->vcpus[j].start_pc,
				 (unsigned long long)(g->vcpus[j].time_slice_ns / 1000),
				 g->vcpus[j].priority, aff);
		}
		for (u32 j = 0; j < g->nr_regions; j++) {
			const struct vmm_region_config *r = &g->regions[j];
			char where[48] = "";

			if (r->kind == VMM_REGION_VIRTUAL)
				vmm_snprintf(where, sizeof(where), "\"%s\"", r->compatible);
			else if (r->fixed_hpa && !r->io)
				vmm_snprintf(where, sizeof(where), "host 0x%llx", (unsigned long long)r->hpa);
			else if (r->io)
				vmm_snprintf(where, sizeof(where), "host ports");
			else
				vmm_snprintf(where, sizeof(where), "allocated");
			vmm_printk(level, "  %s/%s: %s %s 0x%llx-0x%llx %s\n", g->name, r->name,
				 vmm_region_kind_name(r->kind), r->io ? "io" : "memory",
				 (unsigned long long)r->gpa,
				 (unsigned long long)(r->gpa + r->size - 1), where);
		}
	}
}

const struct vmm_region_config *vmm_guest_config_find_compatible(const struct vmm_guest_config *g,
								  const char *compatible)
{
	for (u32 i = 0; g && i < g->nr_regions; i++)
		if (g->regions[i].kind == VMM_REGION_VIRTUAL &&
		    !strcmp(g->regions[i].compatible, compatible))
			return &g->regions[i];
	return NULL;
}
