/*
 * arch/x86_64/vmx/ept_check.c - what makes an EPT paging-structure entry
 * malformed (SDM vol. 3C 29.3.3.1 "EPT Misconfigurations", entry formats in
 * 29.3.2 tables 29-1..29-6), checked one entry at a time so the EPT
 * misconfiguration exit can say which entry is wrong and why; and the
 * parser of the test-only testept= option that makes one malformed on
 * purpose. Pure computation (no CPU access): unit-tested on the host.
 */
#include <string.h>
#include "arch/x86_64/vmx/ept_check.h"
#include "arch/x86_64/vmx/vmx_caps.h"
#include "kernel/error.h"

#define EPT_PERM_MASK 7ULL
#define EPT_MT_SHIFT 3
#define BITS(hi, lo) ((~0ULL >> (63 - (hi))) & ~((1ULL << (lo)) - 1))

const char *ept_level_name(int level)
{
	static const char *const names[] = { "PTE", "PDE", "PDPTE", "PML4E" };

	return level >= 0 && level <= 3 ? names[level] : "?";
}

bool ept_entry_is_leaf(u64 entry, int level)
{
	return level == EPT_LEVEL_PTE ||
	       ((level == EPT_LEVEL_PDE || level == EPT_LEVEL_PDPTE) && (entry & EPT_LARGE));
}

/* SDM 29.3.3.1: the access-rights checks come first, then reserved bits. */
const char *ept_entry_check(u64 entry, int level, u64 ept_caps, unsigned maxphyaddr)
{
	u64 perms = entry & EPT_PERM_MASK;

	if (level < EPT_LEVEL_PTE || level > EPT_LEVEL_PML4E)
		return "no such EPT level";
	if (!perms)
		return NULL;	/* not present: an EPT violation, not a misconfiguration */
	if (perms == 2)
		return "write permission without read permission (bits 2:0 = 010b)";
	if (perms == 6)
		return "write and execute permission without read permission (bits 2:0 = 110b)";
	if (perms == 4 && !(ept_caps & EPT_CAP_XONLY))
		return "execute-only (bits 2:0 = 100b), which this CPU does not support (IA32_VMX_EPT_VPID_CAP bit 0)";

	/* a present entry: reserved bits (SDM 29.3.2) */
	if (maxphyaddr < 52 && (entry & BITS(51, maxphyaddr < 12 ? 12 : maxphyaddr)))
		return "reserved bits set: physical-address bits 51:MAXPHYADDR";
	if (level == EPT_LEVEL_PML4E) {
		if (entry & BITS(7, 3))
			return "reserved bits 7:3 set (must be 0 in a PML4E)";
		return NULL;
	}
	if (level != EPT_LEVEL_PTE && !(entry & EPT_LARGE)) {
		if (entry & BITS(6, 3))
			return "reserved bits 6:3 set (must be 0 in an entry that references a table)";
		return NULL;
	}
	if (level == EPT_LEVEL_PDPTE) {
		if (!(ept_caps & EPT_CAP_1G))
			return "1 GiB page (bit 7) but this CPU has no 1 GiB EPT pages (reserved bit 7)";
		if (entry & BITS(29, 12))
			return "reserved bits 29:12 set (must be 0 in a 1 GiB page entry)";
	} else if (level == EPT_LEVEL_PDE) {
		if (!(ept_caps & EPT_CAP_2M))
			return "2 MiB page (bit 7) but this CPU has no 2 MiB EPT pages (reserved bit 7)";
		if (entry & BITS(20, 12))
			return "reserved bits 20:12 set (must be 0 in a 2 MiB page entry)";
	}
	/* the entry maps a page: its memory type (bits 5:3) must be 0, 1, 4, 5 or 6 */
	switch ((entry >> EPT_MT_SHIFT) & 7) {
	case 2: return "reserved memory type 2 (bits 5:3)";
	case 3: return "reserved memory type 3 (bits 5:3)";
	case 7: return "reserved memory type 7 (bits 5:3)";
	}
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ept_testopt_parse(const char *val, struct ept_testopt *opt, const char **why)
{
	const char *colon = strchr(val, ':');
	const char *p, *end;
	size_t len;
	u64 gpa = 0;
	int digits = 0;
	enum ept_poison kind = EPT_POISON_WO;

	*why = NULL;
	if (!colon) {
		*why = "expected <guest>:<gpa hex>[:wo|memtype|rsvd]";
		return -VMM_EINVALID;
	}
	len = (size_t)(colon - val);
	if (!len) {
		*why = "no guest name before ':'";
		return -VMM_EINVALID;
	}
	if (len >= sizeof(opt->guest)) {
		*why = "guest name too long";
		return -VMM_EINVALID;
	}
	p = colon + 1;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	end = strchr(p, ':');
	if (!end)
		end = p + strlen(p);
	for (; p < end; p++, digits++) {
		int d = hexval(*p);

		if (d < 0) {
			*why = "the GPA is not a hexadecimal number";
			return -VMM_EINVALID;
		}
		if (gpa >> 60) {
			*why = "the GPA does not fit in 64 bits";
			return -VMM_EINVALID;
		}
		gpa = (gpa << 4) | (u64)d;
	}
	if (!digits) {
		*why = "no GPA after the guest name";
		return -VMM_EINVALID;
	}
	if (*end == ':') {
		const char *k = end + 1;

		if (!strcmp(k, "wo"))
			kind = EPT_POISON_WO;
		else if (!strcmp(k, "memtype"))
			kind = EPT_POISON_MEMTYPE;
		else if (!strcmp(k, "rsvd"))
			kind = EPT_POISON_RSVD;
		else {
			*why = "unknown kind (wo memtype rsvd)";
			return -VMM_EINVALID;
		}
	}
	memcpy(opt->guest, val, len);
	opt->guest[len] = '\0';
	opt->gpa = gpa;
	opt->kind = kind;
	return VMM_OK;
}

u64 ept_poison_entry(u64 entry, enum ept_poison kind)
{
	switch (kind) {
	case EPT_POISON_MEMTYPE:
		return (entry & ~(7ULL << EPT_MT_SHIFT)) | (2ULL << EPT_MT_SHIFT);
	case EPT_POISON_RSVD:
		return entry | (1ULL << 51);
	case EPT_POISON_WO:
	default:
		return (entry & ~EPT_PERM_MASK) | 2;
	}
}
