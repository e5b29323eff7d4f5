/*
 * kernel/guest_config.h - semantic validation of the configuration tree:
 * /vmm settings and each /guests/<name> (its vcpus/ and aspace/ regions),
 * producing the checked guest descriptions the manager will instantiate.
 *
 * A guest with any problem is rejected with one message listing all of its
 * problems; the other guests and the hypervisor go on.
 */
#ifndef KERNEL_GUEST_CONFIG_H
#define KERNEL_GUEST_CONFIG_H

#include "kernel/types.h"
#include "kernel/devtree.h"
#include "kernel/problems.h"
#include "kernel/host_mem.h"
#include "kernel/arch_info.h"

#define VMM_DEFAULT_MAX_GUESTS 8
#define VMM_DEFAULT_MAX_VCPUS 32
#define VMM_DEFAULT_TIME_SLICE_NS 10000000ULL	/* 10 ms */
#define VMM_MAX_PRIORITY 7
#define VMM_GUEST_MAX_VCPUS 8
#define VMM_GUEST_MAX_REGIONS 32
#define VMM_GUEST_PHYS_LIMIT (1ULL << 39)	/* 512 GiB: 4-level EPT, one PML4 half */
#define VMM_HOST_RESERVE_BYTES (8 * MiB)	/* kept for the hypervisor itself */
#define VMM_LONG_MODE_PT_BYTES (6 * PAGE_SIZE)	/* PML4, PDPT, 4 PDs */
#define VMM_DEFAULT_PT_ADDR 0x1000ULL

enum vmm_region_kind {
	VMM_REGION_RAM,		/* real memory, read/write */
	VMM_REGION_ROM,		/* real memory, read/execute only */
	VMM_REGION_DEVICE,	/* real device window (memory) or ports (io) */
	VMM_REGION_VIRTUAL,	/* emulated device */
};

/* Names and strings are copies: the tree may change after validation. */
struct vmm_region_config {
	char name[VMM_DEVTREE_NAME_MAX];
	struct vmm_devtree_node *node;
	enum vmm_region_kind kind;
	bool io;		/* address_type "io" (ports) rather than "memory" */
	u64 gpa, size;
	bool fixed_hpa;		/* host_physical_addr given */
	u64 hpa;
	char device_type[32];
	char compatible[64];	/* first compatible string (virtual regions) */
	bool acpi_tables;	/* a ROM whose contents are the generated ACPI tables
				 * (the boolean acpi_tables; kernel/acpi_guest.c) */
};

enum vmm_vcpu_mode {
	VMM_VCPU_MODE_REAL,		/* reset state, CS:IP from start_pc */
	VMM_VCPU_MODE_PROTECTED,	/* flat 32-bit segments, paging off */
	VMM_VCPU_MODE_LONG,		/* 64-bit, identity-mapped first 4 GiB */
};

struct vmm_vcpu_config {
	char name[VMM_DEVTREE_NAME_MAX];
	struct vmm_devtree_node *node;
	u64 start_pc;
	enum vmm_vcpu_mode mode;
	u64 page_table_addr;	/* long mode: where the hypervisor writes 24 KiB of page tables */
	u64 time_slice_ns;
	u32 priority;		/* 0..VMM_MAX_PRIORITY, higher runs first */
	u64 affinity;		/* bit n: may run on host CPU n; 0 = any CPU (no 'affinity') */
};

/* A Multiboot (v1) kernel the hypervisor loads into the guest's RAM (kernel/mb1_guest.c). */
#define VMM_BOOT_MODULE_NAME_MAX 128	/* = VMM_BOOT_NAME_MAX of kernel/multiboot.h */
#define VMM_MB1_MAX_MODULES 8
#define VMM_MB1_STRING_MAX 256
struct vmm_mb1_config {
	char kernel[VMM_BOOT_MODULE_NAME_MAX];	/* multiboot_kernel: module name; "" none */
	char cmdline[VMM_MB1_STRING_MAX];	/* multiboot_cmdline (default: the kernel's name) */
	u32 nr_modules;
	/* multiboot_modules: "name [args]", the module's string; name = first word */
	char modules[VMM_MB1_MAX_MODULES][VMM_MB1_STRING_MAX];
};

/* A Linux bzImage the hypervisor loads with the boot protocol (kernel/linux_guest.c). */
#define VMM_LINUX_CMDLINE_MAX 1024
struct vmm_linux_config {
	char kernel[VMM_BOOT_MODULE_NAME_MAX];	/* linux_kernel: module name; "" none */
	char initrd[VMM_BOOT_MODULE_NAME_MAX];	/* linux_initrd: module name; "" none */
	char cmdline[VMM_LINUX_CMDLINE_MAX];	/* linux_cmdline (default "") */
};

struct vmm_guest_config {
	char name[VMM_DEVTREE_NAME_MAX];
	struct vmm_devtree_node *node;
	u32 nr_vcpus;
	struct vmm_vcpu_config vcpus[VMM_GUEST_MAX_VCPUS];
	u32 nr_regions;
	struct vmm_region_config regions[VMM_GUEST_MAX_REGIONS];
	u64 alloc_bytes;	/* RAM/ROM the hypervisor must allocate */
	bool reset_on_triple_fault;	/* on_triple_fault = "reset" (default "halt") */
	bool strict_io;			/* unassigned_io = "halt" (default "ignore"): unassigned ports and memory */
	bool start_all;			/* start = "all": 'guest kick' starts every VCPU;
					 * default "boot": only vcpus[0], the others wait for a SIPI */
	struct vmm_mb1_config mb1;
	struct vmm_linux_config linux_boot;
};

struct vmm_vmm_config {
	u32 max_guests;
	u32 max_vcpus;
	u64 default_time_slice_ns;
	char console[VMM_DEVTREE_PATH_MAX];	/* "" when not set */
	char bootcmd[256];			/* first bootcmd string, "" when not set */
	/* every string of /vmm bootcmd, run in order by the bootcmd thread */
#define VMM_MAX_BOOTCMDS 8
	u32 nr_bootcmds;
	char bootcmds[VMM_MAX_BOOTCMDS][256];
};

/* What the checks need to know about the host. */
struct vmm_host_view {
	const struct vmm_phys_range *ram;	/* RAM ranges of the boot map */
	u32 nr_ram;
	const struct vmm_phys_range *used;	/* ranges the hypervisor occupies */
	u32 nr_used;
	u64 free_bytes;				/* what the allocator can still give */
	/* take [start,end) away from the allocator; 0 or a negative VMM_E* */
	int (*claim)(u64 start, u64 end);
	/* ports and physical ranges the hypervisor itself uses (arch_host_owned):
	 * no real region may pass one through */
	const struct vmm_host_owned *owned;
	u32 nr_owned;
};

struct vmm_config {
	struct vmm_vmm_config vmm;
	u32 nr_guests;		/* accepted */
	u32 nr_rejected;
	struct vmm_guest_config *guests;	/* nr_guests entries */
};

/*
 * Validate the whole tree. 'problems' holds what unflattening found; every
 * problem under a guest's path counts against that guest. Prints the
 * rejection messages. Returns VMM_OK or -VMM_ENOMEM.
 */
int vmm_config_validate(struct vmm_devtree_node *root, struct vmm_problems *problems,
			const struct vmm_host_view *host, struct vmm_config *out);
void vmm_config_free(struct vmm_config *cfg);
/* Print the boot summary: guests, VCPUs and regions, one line each. */
void vmm_config_print_summary(const struct vmm_config *cfg, int level);
/* Is 'node' (or a node below it) a node an accepted guest was built from? */
bool vmm_config_uses_node(const struct vmm_config *cfg, const struct vmm_devtree_node *node);
const char *vmm_region_kind_name(enum vmm_region_kind kind);
/* The guest's first virtual region whose compatible is 'compatible', or NULL. */
const struct vmm_region_config *vmm_guest_config_find_compatible(const struct vmm_guest_config *g,
								  const char *compatible);
/* Does the guest have local APICs (an "x86,local-apic" region)? */
static inline bool vmm_guest_config_has_lapic(const struct vmm_guest_config *g)
{
	return vmm_guest_config_find_compatible(g, "x86,local-apic") != NULL;
}

#endif
