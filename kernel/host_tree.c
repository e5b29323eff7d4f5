/*
 * kernel/host_tree.c - fills /host of the live device tree with what the
 * hypervisor found at boot: /host/cpus/cpuN from arch_host_cpus(), and
 * /host/memory from the boot memory map (host_tree.h; dts/README "/host").
 */
#include <string.h>
#include "kernel/host_tree.h"
#include "kernel/arch_info.h"
#include "kernel/printk.h"
#include "kernel/error.h"

/* The node 'name' under 'parent', made when missing; NULL: out of memory. */
static struct vmm_devtree_node *child_of(struct vmm_devtree_node *parent, const char *name)
{
	struct vmm_devtree_node *n = vmm_devtree_child(parent, name);

	return n ? n : vmm_devtree_node_new(parent, name);
}

/*
 * Set a found value; when the configuration had the attribute with another
 * value, say so (naming the path): the found value wins.
 */
static int set_found(struct vmm_devtree_node *n, const char *name, enum vmm_devtree_type type,
		     const void *value, u32 len)
{
	struct vmm_devtree_attr *a = vmm_devtree_attr(n, name);

	if (a && (a->len != len || (len && memcmp(a->value, value, len)))) {
		char path[VMM_DEVTREE_PATH_MAX];

		vmm_warn("host: %s: the configuration's '%s' is replaced by the value found at boot\n",
			 vmm_devtree_path(n, path, sizeof(path)), name);
	}
	return vmm_devtree_setattr(n, name, type, value, len);
}

static int set_string(struct vmm_devtree_node *n, const char *name, const char *s, bool found)
{
	if (found)
		return set_found(n, name, VMM_DEVTREE_STRING, s, strlen(s) + 1);
	return vmm_devtree_setattr(n, name, VMM_DEVTREE_STRING, s, strlen(s) + 1);
}

static int set_u64(struct vmm_devtree_node *n, const char *name, u64 v)
{
	return vmm_devtree_setattr(n, name, VMM_DEVTREE_U64, &v, sizeof(v));
}

/* /host/cpus/cpuN for each CPU found; configured CPUs not found are marked. */
static int fill_cpus(struct vmm_devtree_node *host)
{
	static struct arch_host_cpu cpus[ARCH_HOST_CPUS_MAX];
	struct vmm_devtree_node *cpus_node = child_of(host, "cpus"), *c;
	char name[16], path[VMM_DEVTREE_PATH_MAX];
	u32 n, online = 0;
	int rc = VMM_OK;

	if (!cpus_node)
		return -VMM_ENOMEM;
	n = arch_host_cpus(cpus, ARCH_HOST_CPUS_MAX);
	for (u32 i = 0; i < n && !rc; i++) {
		u32 reg = i;

		vmm_snprintf(name, sizeof(name), "cpu%u", i);
		c = child_of(cpus_node, name);
		if (!c)
			return -VMM_ENOMEM;
		rc = set_string(c, "device_type", "cpu", true);
		if (!rc)
			rc = set_found(c, "reg", VMM_DEVTREE_CELLS, &reg, sizeof(reg));
		if (!rc && cpus[i].hw_id != ARCH_HOST_CPU_NO_ID)
			rc = set_found(c, "apic_id", VMM_DEVTREE_U32, &cpus[i].hw_id, 4);
		if (!rc)
			rc = set_string(c, "status", cpus[i].online ? "okay" : "disabled", true);
		online += cpus[i].online;
	}
	if (rc)
		return rc;
	/* children the configuration wrote that name no CPU found */
	vmm_devtree_for_each_child(c, cpus_node) {
		bool found = false;

		for (u32 i = 0; i < n && !found; i++) {
			vmm_snprintf(name, sizeof(name), "cpu%u", i);
			found = !strcmp(c->name, name);
		}
		if (found)
			continue;
		vmm_warn("host: %s: no such CPU was found (%u CPU%s known): marked status = \"absent\"\n",
			 vmm_devtree_path(c, path, sizeof(path)), n, n == 1 ? "" : "s");
		rc = set_string(c, "status", "absent", false);
		if (rc)
			return rc;
	}
	vmm_info("host: /host/cpus: %u CPU%s, %u online\n", n, n == 1 ? "" : "s", online);
	return VMM_OK;
}

/* /host/memory: the boot memory map, one child per range. */
static int fill_memory(struct vmm_devtree_node *host, const struct vmm_boot_info *bi)
{
	struct vmm_devtree_node *mem = vmm_devtree_child(host, "memory"), *r;
	char name[16];
	u64 usable = 0;
	int rc;

	if (mem) {
		vmm_warn("host: /host/memory: the configuration's node is replaced by the boot memory map\n");
		vmm_devtree_node_free(mem);
	}
	mem = vmm_devtree_node_new(host, "memory");
	if (!mem)
		return -VMM_ENOMEM;
	rc = set_string(mem, "device_type", "memory", false);
	for (u32 i = 0; i < bi->nr_mem && !rc; i++) {
		const struct vmm_mem_range *m = &bi->mem[i];

		vmm_snprintf(name, sizeof(name), "range%u", i);
		r = vmm_devtree_node_new(mem, name);
		if (!r)
			return -VMM_ENOMEM;
		rc = set_u64(r, "base", m->base);
		if (!rc)
			rc = set_u64(r, "size", m->length);
		if (!rc)
			rc = set_string(r, "type", vmm_mem_type_name(m->type), false);
		if (m->type == VMM_MEM_USABLE)
			usable += m->length;
	}
	if (!rc)
		rc = set_u64(mem, "usable_size", usable);
	return rc;
}

int vmm_host_tree_fill(struct vmm_devtree_node *root, const struct vmm_boot_info *bi)
{
	struct vmm_devtree_node *host;
	int rc;

	if (!root || !bi)
		return -VMM_EINVALID;
	host = child_of(root, "host");
	rc = host ? fill_cpus(host) : -VMM_ENOMEM;
	if (!rc)
		rc = fill_memory(host, bi);
	if (rc)
		vmm_err("host: cannot fill /host: %s\n", vmm_strerror(rc));
	return rc;
}
