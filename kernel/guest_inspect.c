/*
 * kernel/guest_inspect.c - looking into a guest from the terminal
 * (guest_inspect.h): a hex dump of its RAM/ROM through its aspace, the
 * list of its regions, and per-VCPU statistics. Read-only: the aspace's
 * lookup cache (which exit handlers use) is not touched.
 */
#include <string.h>
#include <stdlib.h>
#include "kernel/guest_inspect.h"
#include "kernel/aspace.h"
#include "kernel/manager.h"
#include "kernel/vcpu_state.h"
#include "kernel/arch_vcpu.h"
#include "kernel/arch_cpu.h"
#include "kernel/printk.h"
#include "kernel/error.h"

bool vmm_guest_inspect_is(const char *sub)
{
	return !strcmp(sub, "dumpmem") || !strcmp(sub, "region_list") || !strcmp(sub, "stats");
}

/* The memory region holding guest-physical 'gpa' (no cache), or NULL. */
static const struct vmm_region *region_at(const struct vmm_guest *g, u64 gpa)
{
	const struct vmm_aspace *as = g->aspace;

	for (u32 i = 0; as && i < as->nr_regions; i++)
		if (!as->regions[i].cfg->io && vmm_region_contains(&as->regions[i], gpa))
			return &as->regions[i];
	return NULL;
}

/* Host address of 'gpa' inside real region r, and bytes contiguous from it. */
static const u8 *chunk_at(const struct vmm_region *r, u64 gpa, u64 *avail)
{
	for (u32 i = 0; i < r->nr_chunks; i++) {
		const struct vmm_region_chunk *ch = &r->chunks[i];

		if (gpa >= ch->gpa && gpa - ch->gpa < ch->size) {
			*avail = ch->size - (gpa - ch->gpa);
			return (const u8 *)(uintptr_t)(ch->hpa + (gpa - ch->gpa));
		}
	}
	return NULL;
}

static bool is_real(const struct vmm_region *r)
{
	return (r->cfg->kind == VMM_REGION_RAM || r->cfg->kind == VMM_REGION_ROM) && r->nr_chunks;
}

/*
 * Every byte of [gpa, gpa + len) in real RAM/ROM? Else say where it stops
 * and why, naming the guest and the address.
 */
static int check_range(const struct vmm_guest *g, u64 gpa, u64 len)
{
	u64 a = gpa, left = len;	/* no end address: gpa + len may be 2^64 */

	while (left) {
		const struct vmm_region *r = region_at(g, a);
		u64 avail;

		if (!r) {
			vmm_printk(VMM_LOG_EMERG, "guest dumpmem: guest %s has nothing mapped at guest-physical 0x%llx\n",
				   g->name, (unsigned long long)a);
			return -VMM_ENOENT;
		}
		if (!is_real(r)) {
			vmm_printk(VMM_LOG_EMERG, "guest dumpmem: guest %s: guest-physical 0x%llx is in %s region '%s', not RAM or ROM\n",
				   g->name, (unsigned long long)a, vmm_region_kind_name(r->cfg->kind),
				   r->cfg->name);
			return -VMM_EINVALID;
		}
		if (!chunk_at(r, a, &avail)) {
			vmm_printk(VMM_LOG_EMERG, "guest dumpmem: guest %s: guest-physical 0x%llx of region '%s' has no host memory\n",
				   g->name, (unsigned long long)a, r->cfg->name);
			return -VMM_ENOENT;
		}
		avail = MIN(avail, left);
		a += avail;
		left -= avail;
	}
	return VMM_OK;
}

/* Copy 'len' bytes at 'gpa' (checked by check_range) into 'buf'. */
static void copy_out(const struct vmm_guest *g, u64 gpa, u8 *buf, u64 len)
{
	u64 done = 0;

	while (done < len) {
		const struct vmm_region *r = region_at(g, gpa + done);
		u64 avail = 0;
		const u8 *src = r ? chunk_at(r, gpa + done, &avail) : NULL;
		u64 n;

		if (!src) {	/* cannot happen after check_range: zeros, not garbage */
			memset(buf + done, 0, len - done);
			return;
		}
		n = MIN(avail, len - done);
		memcpy(buf + done, src, n);
		done += n;
	}
}

int vmm_guest_dumpmem(struct vmm_guest *g, u64 gpa, u64 len)
{
	static u8 buf[VMM_DUMPMEM_MAX];
	const struct vmm_region *r;
	int rc;

	if (!len || len > VMM_DUMPMEM_MAX) {
		vmm_printk(VMM_LOG_EMERG, "guest dumpmem: length %llu is not 1..%u\n",
			   (unsigned long long)len, VMM_DUMPMEM_MAX);
		return -VMM_ERANGE;
	}
	if (gpa + len - 1 < gpa) {
		vmm_printk(VMM_LOG_EMERG, "guest dumpmem: 0x%llx + %llu bytes goes past the end of the address space\n",
			   (unsigned long long)gpa, (unsigned long long)len);
		return -VMM_ERANGE;
	}
	rc = check_range(g, gpa, len);
	if (rc)
		return rc;
	copy_out(g, gpa, buf, len);
	r = region_at(g, gpa);
	vmm_printk(VMM_LOG_EMERG, "guest %s: %llu bytes at guest-physical 0x%llx (region %s, %s)\n",
		   g->name, (unsigned long long)len, (unsigned long long)gpa, r->cfg->name,
		   vmm_region_kind_name(r->cfg->kind));
	for (u64 off = 0; off < len; off += 16) {
		char hex[16 * 3 + 2], text[17];
		size_t h = 0;
		u32 n = (u32)MIN((u64)16, len - off);

		for (u32 i = 0; i < 16; i++) {
			if (i < n)
				h += vmm_snprintf(hex + h, sizeof(hex) - h, "%s%02x", i == 8 ? "  " : " ",
						  buf[off + i]);
			else
				h += vmm_snprintf(hex + h, sizeof(hex) - h, "%s  ", i == 8 ? "  " : " ");
			text[i] = i < n ? (buf[off + i] >= 0x20 && buf[off + i] < 0x7F ? (char)buf[off + i] : '.')
					: ' ';
		}
		text[16] = 0;
		vmm_printk(VMM_LOG_EMERG, "  %016llx %s  |%s|\n", (unsigned long long)(gpa + off), hex, text);
	}
	return VMM_OK;
}

int vmm_guest_region_list(struct vmm_guest *g)
{
	const struct vmm_aspace *as = g->aspace;

	if (!as || !as->nr_regions) {
		vmm_printk(VMM_LOG_EMERG, "guest %s: no regions\n", g->name);
		return VMM_OK;
	}
	vmm_printk(VMM_LOG_EMERG, "  %-16s %-7s %-6s %-18s %-18s %-18s %s\n", "region", "kind", "space",
		   "guest-phys start", "guest-phys end", "host-phys", "size");
	for (u32 i = 0; i < as->nr_regions; i++) {
		const struct vmm_region *r = &as->regions[i];
		const struct vmm_region_config *c = r->cfg;
		char host[40];

		if (is_real(r) && r->nr_chunks == 1)
			vmm_snprintf(host, sizeof(host), "0x%016llx", (unsigned long long)r->chunks[0].hpa);
		else if (is_real(r))
			vmm_snprintf(host, sizeof(host), "0x%016llx+%u", (unsigned long long)r->chunks[0].hpa,
				     r->nr_chunks - 1);
		else if (c->kind == VMM_REGION_DEVICE && c->fixed_hpa)
			vmm_snprintf(host, sizeof(host), "0x%016llx", (unsigned long long)c->hpa);
		else if (c->kind == VMM_REGION_VIRTUAL)
			vmm_snprintf(host, sizeof(host), "emulated %s", c->compatible);
		else
			strlcpy(host, "-", sizeof(host));
		vmm_printk(VMM_LOG_EMERG, "  %-16s %-7s %-6s 0x%016llx 0x%016llx %-18s 0x%llx\n", c->name,
			   vmm_region_kind_name(c->kind), c->io ? "io" : "memory", (unsigned long long)c->gpa,
			   (unsigned long long)(c->gpa + c->size - 1), host, (unsigned long long)c->size);
	}
	return VMM_OK;
}

int vmm_guest_stats(struct vmm_guest *g)
{
	vmm_printk(VMM_LOG_EMERG, "  %-24s %-8s %-4s %10s %12s %12s %12s %9s %10s\n", "vcpu", "state", "cpu",
		   "exits", "guest-us", "handler-us", "run-us", "switches", "migrations");
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		struct vmm_vcpu *v = g->vcpus[i];
		struct arch_vcpu_stats st;
		u64 run = 0;

		if (!v)
			continue;
		arch_vcpu_stats_get(v, &st);
		for (u32 c = 0; c < ARCH_CPU_MAX; c++)
			run += v->run_ns[c];
		vmm_printk(VMM_LOG_EMERG, "  %-24s %-8s %-4u %10llu %12llu %12llu %12llu %9llu %10llu\n", v->name,
			   vmm_vcpu_state_name(v->state), v->host_cpu, (unsigned long long)st.exits,
			   (unsigned long long)(st.guest_ns / 1000), (unsigned long long)(st.handler_ns / 1000),
			   (unsigned long long)(run / 1000), (unsigned long long)v->switches,
			   (unsigned long long)v->migrations);
	}
	return VMM_OK;
}

/* A number (decimal or 0x hex) with nothing after it; no sign. */
static bool parse_u64(const char *s, u64 *out)
{
	char *end;

	if (!(*s >= '0' && *s <= '9'))
		return false;
	*out = strtoull(s, &end, 0);
	return !*end && !(*out == ~0ULL && strcmp(s, "0xffffffffffffffff") &&
			  strcmp(s, "0xFFFFFFFFFFFFFFFF") && strcmp(s, "18446744073709551615"));
}

/* One line: what is wrong, then the usage; -VMM_EINVALID. */
static int bad(const char *sub, const char *what, const char *arg)
{
	vmm_printk(VMM_LOG_EMERG, "guest %s: %s '%s'\nusage: " VMM_GUEST_INSPECT_USAGE "\n", sub, what, arg);
	return -VMM_EINVALID;
}

int vmm_guest_inspect(struct vmm_guest *g, int argc, char **argv)
{
	const char *sub = argv[1];

	if (!strcmp(sub, "dumpmem")) {
		u64 gpa, len = VMM_DUMPMEM_DEFAULT;

		if (argc < 4)
			return bad(sub, "needs a guest-physical address after", argv[2]);
		if (argc > 5)
			return bad(sub, "unexpected argument", argv[5]);
		if (!parse_u64(argv[3], &gpa))
			return bad(sub, "not a guest-physical address (decimal or 0x hex):", argv[3]);
		if (argc == 5 && (!parse_u64(argv[4], &len) || !len || len > VMM_DUMPMEM_MAX))
			return bad(sub, "length not 1..4096:", argv[4]);
		return vmm_guest_dumpmem(g, gpa, len);
	}
	if (!vmm_guest_inspect_is(sub))
		return bad(sub, "unknown inspection subcommand", sub);
	if (argc != 3)
		return bad(sub, "unexpected argument", argv[3]);
	if (!strcmp(sub, "region_list"))
		return vmm_guest_region_list(g);
	return vmm_guest_stats(g);
}
